import SwitchyardCore
import SwitchyardWebhooks
import Testing

@Suite("JSON values")
struct JSONValueTests {
    func parse(_ text: String) throws(WebhookError) -> JSONValue {
        try JSONValue(parsing: Array(text.utf8))
    }

    @Test("Parses every kind of value, escapes and surrogate pairs included")
    func parsesValues() throws {
        let value = try parse(#" {"a": [1, -2.5e3, true, false, null], "s": "tab\t \u00e9 \ud83d\ude00 \"q\" \/"} "#)
        #expect(value == ["a": [1, -2500, true, false, nil], "s": "tab\t é 😀 \"q\" /"])
    }

    @Test(
        "Rejects malformed documents, saying where",
        arguments: [
            (#"{"a": tru}"#, #"line 1, column 7 (byte 6): unexpected "t"; expected a value (did you mean true?)"#),
            (#"{"a": 1} x"#, #"line 1, column 10 (byte 9): unexpected "x" after the end of the JSON value"#),
            (
                "[1, 2",
                "line 1, column 6 (byte 5): unexpected end of input; expected \",\" or \"]\" after an array element"
            ),
            (#"{"a": 01}"#, "line 1, column 8 (byte 7): numbers must not have leading zeros"),
            (#"{"a": 1, "a": 2}"#, #"line 1, column 10 (byte 9): duplicate member name "a""#),
            (
                #"["\q"]"#,
                #"line 1, column 3 (byte 2): invalid escape "\q"; valid escapes are \" \\ \/ \b \f \n \r \t \uXXXX"#
            ),
            (#"["\ud800"]"#, "line 1, column 3 (byte 2): high surrogate without a following low surrogate"),
            ("[\"a\nb\"]", "line 1, column 4 (byte 3): control character 0x0A in a string; it must be escaped"),
            ("[1e999]", "line 1, column 2 (byte 1): number 1e999 is out of range"),
        ])
    func rejects(text: String, message: String) {
        #expect(throws: WebhookError.malformedJSON(message)) { try parse(text) }
    }

    @Test("Rejects invalid UTF-8 and hostile nesting")
    func rejectsHostileInput() throws {
        #expect(throws: WebhookError.malformedJSON("line 1, column 2 (byte 1): string is not valid UTF-8")) {
            try JSONValue(parsing: [0x5B, 0x22, 0xC3, 0x28, 0x22, 0x5D])
        }
        // The same after an escape (the unescaping path), in a member name, and a truncated
        // sequence at the end of a string.
        #expect(throws: WebhookError.malformedJSON("line 1, column 2 (byte 1): string is not valid UTF-8")) {
            try JSONValue(parsing: [0x5B, 0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22, 0x5D])
        }
        #expect(throws: WebhookError.malformedJSON("line 1, column 2 (byte 1): string is not valid UTF-8")) {
            try JSONValue(parsing: [0x7B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x3A, 0x31, 0x7D])  // an encoded surrogate
        }
        #expect(throws: WebhookError.malformedJSON("line 1, column 2 (byte 1): string is not valid UTF-8")) {
            try JSONValue(parsing: [0x5B, 0x22, 0x61, 0xF0, 0x9F, 0x22, 0x5D])
        }
        #expect(throws: WebhookError.malformedJSON("line 1, column 2 (byte 1): unterminated string")) {
            try parse(#"["a\nb"#)
        }
        #expect(try parse("[\"ñ\\u00e9 😀\"]") == ["ñé 😀"])
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: WebhookError.malformedJSON("line 1, column 257 (byte 256): nesting deeper than 256 levels")) {
            try parse(deep)
        }
    }

    @Test("Paths reach members, elements and quoted names; absent steps give nil")
    func paths() throws {
        let value = try parse(#"{"detail": {"via": {"channel": "web"}, "tags": ["a", "b"]}, "odd key": 1}"#)
        #expect(value.value(at: try #require(JSONPath("$.detail.via.channel"))) == "web")
        #expect(value.value(at: try #require(JSONPath("$.detail.tags[1]"))) == "b")
        #expect(value.value(at: try #require(JSONPath(#"$["odd key"]"#))) == 1)
        #expect(value.value(at: try #require(JSONPath("$.detail.tags[2]"))) == nil)
        #expect(value.value(at: try #require(JSONPath("$.detail.via.channel.x"))) == nil)
        #expect(JSONPath("detail.id") == nil)
        #expect(JSONPath("$.a[x]") == nil)
        #expect(try #require(JSONPath("$['odd key'].list[0]")).description == #"$["odd key"].list[0]"#)
    }

    @Test("Serialises with sorted keys and integers without a fraction, and parses back")
    func serialises() throws {
        let value: JSONValue = ["b": [360_004_077_472, 0.92, -1.5e-7], "a": "line\n\"quoted\" \u{01}", "c": nil]
        let text = String(decoding: value.serialized, as: UTF8.self)
        #expect(text == #"{"a":"line\n\"quoted\" \u0001","b":[360004077472,0.92,-1.5e-07],"c":null}"#)
        #expect(try parse(text) == value)
    }
}
