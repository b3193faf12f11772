import SwitchyardYAML
import Testing
import Yams

@Suite("Reading YAML with every problem located")
struct YAMLReaderTests {
    /// The reader after composing `text`, and its root node.
    func read(_ text: String) throws -> (reader: YAMLReader, root: Node) {
        var reader = YAMLReader(file: "f.yaml", text: text)
        guard case .node(let root) = reader.compose() else { throw Unreadable(text: text) }
        return (reader, root)
    }

    struct Unreadable: Error { let text: String }

    /// The members of `root`, any key allowed; fails the test when it is not a mapping.
    func members(_ reader: inout YAMLReader, _ root: Node, allowed: [String]? = nil) throws -> YAMLReader.Members {
        let members = reader.members(of: root, "m", allowed: allowed)
        return try #require(members)
    }

    @Test("unknown keys are reported at the key with the allowed ones, and silence \"missing\" for that mapping")
    func unknownKeys() throws {
        var (reader, root) = try read("name: a\nsignatur: x\n")
        let top = reader.members(of: root, "the file", allowed: ["name", "signature"])
        let members = try #require(top)
        let signature = reader.required("signature", in: members)
        #expect(members["name"]?.string == "a")
        #expect(members.hadUnknownKeys)
        #expect(signature == nil)
        #expect(reader.diagnostics.map(\.description) == [
            #"f.yaml:2:1: error: unknown key "signatur" in the file; allowed keys: name, signature"#
        ])
    }

    @Test("a missing required key is reported at the mapping that lacks it")
    func missingKey() throws {
        var (reader, root) = try read("rules:\n  - id: a\n")
        let top = try members(&reader, root, allowed: ["rules"])
        let rulesNode = try #require(top["rules"])
        let list = reader.sequence(rulesNode, "rules", expecting: "a list of rules")
        let items = try #require(list)
        let ruleMembers = reader.members(of: items[0], "rules[0]", allowed: ["id", "when"])
        let rule = try #require(ruleMembers)
        let when = reader.required("when", in: rule)
        let id = reader.required("id", in: rule)
        #expect(when == nil)
        #expect(id?.string == "a")
        #expect(reader.diagnostics.map(\.description) == [#"f.yaml:2:5: error: missing required key "when" in rules[0]"#])
        #expect(top.order == ["rules"])
    }

    @Test("wrong types say what was expected and what was found")
    func wrongTypes() throws {
        var (reader, root) = try read("a: [1]\nb:\nc: maybe\nd: hcma\ne: \(String(repeating: "x", count: 70))\n")
        let m = try members(&reader, root)
        let (a, b, c, d, e) = try (#require(m["a"]), #require(m["b"]), #require(m["c"]), #require(m["d"]), #require(m["e"]))
        let results: [Bool] = [
            reader.string(a, "m.a") == nil,
            reader.string(b, "m.b") == nil,
            reader.string(b, "m.b", allowingEmpty: true) == "",
            reader.bool(c, "m.c") == nil,
            reader.choice(d, "scheme", Scheme.self) == nil,
            reader.sequence(e, "m.e", expecting: "a list of tags") == nil,
            reader.members(of: c, "m.c", allowed: nil) == nil,
        ]
        #expect(results == Array(repeating: true, count: 7))
        #expect(reader.diagnostics.map(\.message) == [
            "m.a must be a string, found a list",
            "m.b must be a string, found an empty value",
            #"m.c must be true or false, found "maybe""#,
            #"unknown scheme "hcma"; expected one of: hmac, none"#,
            #"m.e must be a list of tags, found ""# + String(repeating: "x", count: 59) + #"…""#,
            #"m.c must be a mapping of keys to values, found "maybe""#,
        ])
        #expect(reader.diagnostics.map(\.location.line) == [1, 2, 3, 4, 5, 3])
    }

    enum Scheme: String, CaseIterable { case hmac, none }

    @Test("values of the right type read as written")
    func rightTypes() throws {
        var (reader, root) = try read("a: 123\nb: true\nc: none\n")
        let m = try members(&reader, root, allowed: ["a", "b", "c"])
        let (a, b, c) = try (#require(m["a"]), #require(m["b"]), #require(m["c"]))
        let string = reader.string(a, "m.a")
        let bool = reader.bool(b, "m.b")
        let scheme = reader.choice(c, "scheme", Scheme.self)
        #expect(string == "123")
        #expect(bool == true)
        #expect(scheme == Scheme.none)
        #expect(reader.diagnostics.isEmpty)
    }

    @Test("an empty file and one of comments compose to .empty without a problem")
    func emptyFiles() {
        for text in ["", "# only a comment\n\n"] {
            var reader = YAMLReader(file: "f.yaml", text: text)
            guard case .empty = reader.compose() else {
                Issue.record("\(text.debugDescription) did not compose to .empty")
                continue
            }
            #expect(reader.diagnostics.isEmpty)
        }
    }

    @Test("syntax errors, repeated keys and control characters are reported where libyaml found them", arguments: [
        ("a: b: c\n", "f.yaml:1:5: error: YAML syntax error: mapping values are not allowed in this context"),
        ("a: 1\nb: 2\na: 3\n", #"f.yaml:1:1: error: key "a" appears more than once in one mapping; keep one"#),
        ("a: 1\nb: x\u{7}y\n", "f.yaml:2:5: error: cannot read YAML: control characters are not allowed"),
        ("a: \"open\nb: 2\n", "f.yaml:3:1: error: YAML syntax error: found unexpected end of stream (while scanning a quoted scalar from line 1, column 4)"),
    ])
    func syntaxErrors(text: String, expected: String) {
        var reader = YAMLReader(file: "f.yaml", text: text)
        guard case .invalid = reader.compose() else {
            Issue.record("\(text.debugDescription) composed")
            return
        }
        #expect(reader.diagnostics.map(\.description) == [expected])
    }

    @Test("a character inside a one-line scalar is located through quotes and escapes; block scalars fall back to the scalar")
    func characterLocations() throws {
        let text = """
            plain: ab)c
            single: 'it''s)'
            double: "\\u00e9\\t)"
            block: |
              ab)c
            """
        var (reader, root) = try read(text)
        let m = try members(&reader, root)
        let (plain, single, double, block) = try (
            #require(m["plain"]), #require(m["single"]), #require(m["double"]), #require(m["block"]))
        #expect(reader.location(ofCharacter: 2, in: plain)?.description == "f.yaml:1:10")
        #expect(reader.location(ofCharacter: 4, in: single)?.description == "f.yaml:2:15")
        #expect(reader.location(ofCharacter: 2, in: double)?.description == "f.yaml:3:18")
        #expect(reader.location(ofCharacter: 2, in: block) == nil)

        reader.report("unmatched )", at: block, character: 2)
        reader.report("unmatched )", at: double, character: 2)
        #expect(reader.diagnostics.map(\.description) == ["f.yaml:4:8: error: unmatched )", "f.yaml:3:18: error: unmatched )"])
    }

    @Test("a diagnostic without a line names just the file; diagnostics sort by place")
    func diagnosticFormat() {
        let whole = Diagnostic(location: .file("Rules"), message: "rule directory not found")
        let later = Diagnostic(location: SourceLocation(file: "a.yaml", line: 3, column: 1), message: "x")
        let earlier = Diagnostic(location: SourceLocation(file: "a.yaml", line: 2, column: 9), message: "y")
        #expect(whole.description == "Rules: error: rule directory not found")
        #expect([later, earlier].sorted() == [earlier, later])
    }
}
