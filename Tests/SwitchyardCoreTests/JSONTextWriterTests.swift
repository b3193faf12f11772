import SwitchyardCore
import Testing

@Suite("JSON text writer")
struct JSONTextWriterTests {
    @Test("strings are quoted and escaped so that the strict parser reads them back unchanged")
    func stringsRoundTrip() throws {
        let tricky = ["", "plain", #"quote " and backslash \"#, "line\nfeed\r\ttab\u{8}\u{C}", "\u{0}\u{1}\u{1F}", "ñandú/🐦"]
        var writer = JSONTextWriter()
        writer.strings(tricky)
        #expect(try JSONValue.parse(writer.bytes) == .array(tricky.map(JSONValue.string)))
    }

    @Test("control characters use the short escapes where JSON has them, \\u00XX otherwise; / is not escaped")
    func escapes() {
        var writer = JSONTextWriter()
        writer.string("a/b\n\u{1}\"")
        #expect(writer.text == #""a/b\n\u0001\"""#)
    }

    @Test("objects are written with members sorted by name")
    func objectsAreSorted() throws {
        let text = JSONTextWriter.text(of: ["zeta": "1", "alpha": "2", "Beta": "3"])
        #expect(text == #"{"Beta":"3","alpha":"2","zeta":"1"}"#)
        #expect(try JSONValue.parse(Array(text.utf8)) == ["zeta": "1", "alpha": "2", "Beta": "3"])
    }

    @Test("members get their commas, also after optional members left out and around a nested object")
    func membersAndCommas() throws {
        func write(first: Bool, nested: Bool, last: Bool) -> String {
            var writer = JSONTextWriter()
            writer.beginObject()
            if first {
                writer.member("a")
                writer.raw("1")
            }
            writer.member("b")
            writer.strings([])
            if nested {
                writer.member("c")
                writer.beginObject()
                writer.member("x")
                writer.raw("true")
                writer.member("y")
                writer.string("z")
                writer.endObject()
            }
            if last {
                writer.member("d")
                writer.raw("null")
            }
            writer.endObject()
            return writer.text
        }
        #expect(write(first: true, nested: true, last: true) == #"{"a":1,"b":[],"c":{"x":true,"y":"z"},"d":null}"#)
        #expect(write(first: false, nested: false, last: false) == #"{"b":[]}"#)
        #expect(write(first: false, nested: true, last: false) == #"{"b":[],"c":{"x":true,"y":"z"}}"#)
        #expect(write(first: true, nested: false, last: true) == #"{"a":1,"b":[],"d":null}"#)
    }
}
