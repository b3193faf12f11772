import SwitchyardRules
import Testing

/// A rule file with problems, and every diagnostic it must produce.
struct InvalidRuleFile: CustomTestStringConvertible, Sendable {
    var name: String
    var yaml: String
    var expected: [String]
    var testDescription: String { name }
}

@Suite("Rule files: every problem reported at its file, line and column")
struct RuleValidationTests {
    static let cases: [InvalidRuleFile] = [
        InvalidRuleFile(
            name: "misspelt key in a condition",
            yaml: """
                rules:
                  - id: a
                    when: { field: subject, matchs: 'x' }
                    then: { department: general }
                """,
            expected: [
                #"Rules/test.yaml:3:29: error: unknown key "matchs" in rules[0].when; allowed keys: all, any, none, field, case_sensitive, matches, contains, equals, starts_with, ends_with, in, exists, greater_than, less_than"#
            ]
        ),
        InvalidRuleFile(
            name: "misspelt key in a rule",
            yaml: """
                rules:
                  - id: a
                    wehn: { field: subject, matches: 'x' }
                    then: { department: general }
                """,
            expected: [
                #"Rules/test.yaml:3:5: error: unknown key "wehn" in rules[0]; allowed keys: id, description, fallback, decide, priority, when, then, examples"#
            ]
        ),
        InvalidRuleFile(
            name: "unknown key at the top of the file",
            yaml: """
                rule:
                  - id: a
                """,
            expected: [#"Rules/test.yaml:1:1: error: unknown key "rule" in the file; allowed keys: rules"#]
        ),
        InvalidRuleFile(
            name: "duplicate rule id in one file",
            yaml: """
                rules:
                  - id: same
                    when: { field: subject, matches: a }
                    then: { department: general }
                  - id: same
                    when: { field: body, matches: b }
                    then: { department: cards }
                """,
            expected: [
                #"Rules/test.yaml:5:9: error: duplicate rule id "same", first defined at Rules/test.yaml:2:9; rule ids must be unique across all rule files"#
            ]
        ),
        InvalidRuleFile(
            name: "unknown department",
            yaml: """
                rules:
                  - id: a
                    when: { field: subject, matches: a }
                    then:
                      department: billing
                """,
            expected: [
                #"Rules/test.yaml:5:19: error: unknown department "billing" at rules[0].then.department; configured departments: fraud_security, disputes_refunds, cards, general"#
            ]
        ),
        InvalidRuleFile(
            name: "bad priority",
            yaml: """
                rules:
                  - id: a
                    when: { field: subject, matches: a }
                    then:
                      department: general
                      priority: asap
                """,
            expected: [
                #"Rules/test.yaml:6:17: error: unknown priority "asap" at rules[0].then.priority; allowed: low, normal, high, urgent"#
            ]
        ),
        InvalidRuleFile(
            name: "empty all and any",
            yaml: """
                rules:
                  - id: a
                    when: { all: [] }
                    then: { department: general }
                  - id: b
                    when:
                      any:
                        - any: []
                    then: { department: general }
                """,
            expected: [
                "Rules/test.yaml:3:18: error: `all` at rules[0].when.all needs at least one condition",
                "Rules/test.yaml:8:16: error: `any` at rules[1].when.any[0].any needs at least one condition",
            ]
        ),
        InvalidRuleFile(
            name: "invalid regular expression, single-quoted",
            yaml: """
                rules:
                  - id: a
                    when: { field: subject, matches: 'ab)cd' }
                    then: { department: general }
                """,
            expected: [
                "Rules/test.yaml:3:41: error: invalid regular expression at rules[0].when.matches: unmatched closing parenthesis at character 3 of the pattern"
            ]
        ),
        InvalidRuleFile(
            name: "invalid regular expression after escapes and accents, double-quoted",
            yaml: #"""
                rules:
                  - id: a
                    when:
                      field: text
                      matches: "(?i)\\bcarte volée\\b)"
                    then: { department: general }
                """#,
            expected: [
                "Rules/test.yaml:5:38: error: invalid regular expression at rules[0].when.matches: unmatched closing parenthesis at character 20 of the pattern"
            ]
        ),
        InvalidRuleFile(
            name: "invalid regular expression in a block scalar points at the scalar",
            yaml: """
                rules:
                  - id: a
                    when:
                      field: text
                      matches: >-
                        (lost
                    then: { department: general }
                """,
            expected: [
                "Rules/test.yaml:5:16: error: invalid regular expression at rules[0].when.matches: missing closing parenthesis at character 6 of the pattern"
            ]
        ),
        InvalidRuleFile(
            name: "unknown field",
            yaml: """
                rules:
                  - id: a
                    when: { field: sender, matches: a }
                    then: { department: general }
                """,
            expected: [
                #"Rules/test.yaml:3:20: error: unknown field "sender" at rules[0].when.field; allowed: subject, body, text, requester.email, requester.name, requester.domain, source, channel, language, priority, status, tags, custom.<name>"#
            ]
        ),
        InvalidRuleFile(
            name: "wrong YAML types",
            yaml: """
                rules:
                  - id: a
                    fallback: maybe
                    when: [a, b]
                    then: { department: general, tags: lost-card }
                """,
            expected: [
                #"Rules/test.yaml:3:15: error: rules[0].fallback must be true or false, found "maybe""#,
                "Rules/test.yaml:4:11: error: rules[0].when must be a condition: `field` with one test (matches, contains, equals, starts_with, ends_with, in, exists, greater_than, less_than), or `all` / `any` / `none` with a list of conditions, found a list",
                #"Rules/test.yaml:5:40: error: rules[0].then.tags must be a list of tags, found "lost-card""#,
            ]
        ),
        InvalidRuleFile(
            name: "rules is not a list",
            yaml: """
                rules:
                  id: a
                """,
            expected: ["Rules/test.yaml:2:3: error: rules must be a list of rules, found a mapping"]
        ),
        InvalidRuleFile(
            name: "missing required keys and an invalid id",
            yaml: """
                rules:
                  - id: Lost Card
                    when: { field: subject }
                """,
            expected: [
                "Rules/test.yaml:2:5: error: missing required key \"then\" in rules[0]",
                #"Rules/test.yaml:2:9: error: invalid rule id "Lost Card" at rules[0].id: use lowercase letters, digits, '_', '.' and '-', starting with a letter or digit"#,
                "Rules/test.yaml:3:11: error: missing test at rules[0].when: add one of matches, contains, equals, starts_with, ends_with, in, exists, greater_than, less_than",
            ]
        ),
        InvalidRuleFile(
            name: "combinator mixed with a field test",
            yaml: """
                rules:
                  - id: a
                    when: { field: subject, matches: a, any: [{ field: body, matches: b }] }
                    then: { department: general }
                """,
            expected: [
                "Rules/test.yaml:3:11: error: `any` cannot share a condition with field, matches at rules[0].when; put each condition in its own list item"
            ]
        ),
        InvalidRuleFile(
            name: "YAML syntax error",
            yaml: """
                rules:
                  - id: a
                     when: { field: subject, matches: a }
                """,
            expected: ["Rules/test.yaml:3:10: error: YAML syntax error: mapping values are not allowed in this context"]
        ),
        InvalidRuleFile(
            name: "unterminated quoted pattern",
            yaml: """
                rules:
                  - id: a
                    when: { field: subject, matches: 'card }
                    then: { department: general }
                """,
            expected: [
                "Rules/test.yaml:4:34: error: YAML syntax error: found unexpected end of stream (while scanning a quoted scalar from line 3, column 38)"
            ]
        ),
        InvalidRuleFile(
            name: "control character",
            yaml: "rules:\n  - id: a\u{01}b\n",
            expected: ["Rules/test.yaml:2:10: error: cannot read YAML: control characters are not allowed"]
        ),
        InvalidRuleFile(
            name: "repeated key",
            yaml: """
                rules:
                  - id: a
                    when: { field: subject, matches: a, matches: b }
                    then: { department: general }
                """,
            expected: [#"Rules/test.yaml:3:29: error: key "matches" appears more than once in one mapping; keep one"#]
        ),
    ]

    @Test("reports", arguments: cases)
    func reports(_ file: InvalidRuleFile) throws {
        let found = try diagnostics(file.yaml).map(\.description)
        #expect(found == file.expected)
    }

    @Test("the error lists every diagnostic, one per line")
    func errorDescription() throws {
        let error = try #require(throws: RuleLoadError.self) {
            try RuleSet.parse(
                """
                rules:
                  - id: a
                    when: { field: subject, matches: a }
                    then: { department: billing, priority: asap }
                """,
                file: "Rules/x.yaml",
                departments: departments
            )
        }
        #expect(error.diagnostics.count == 2)
        #expect(error.description == error.diagnostics.map(\.description).joined(separator: "\n"))
    }
}
