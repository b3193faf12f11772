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

    @Test("keys and raw fragments build hand-written objects")
    func keysAndRaw() {
        var writer = JSONTextWriter()
        writer.raw("{")
        writer.key("n")
        writer.raw("42")
        writer.raw(",")
        writer.key("empty")
        writer.strings([])
        writer.raw("}")
        #expect(writer.text == #"{"n":42,"empty":[]}"#)
    }
}
