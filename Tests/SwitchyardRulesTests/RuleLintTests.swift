import SwitchyardCore
import SwitchyardRules
import SwitchyardYAML
import Testing

@Suite("rules lint")
struct RuleLintTests {
    /// Patterns and whether lint warns about them: nested quantifiers and unbounded gaps
    /// between words do; bounded, possessive, atomic and anchored shapes do not.
    static let patterns: [(pattern: String, warns: [String])] = [
        (#"(a+)+$"#, ["nested"]),
        (#"(\w+\s?)*"#, ["nested"]),
        (#"(?:x*y?)+z"#, ["nested"]),
        (#"((ab)+c)*"#, ["nested"]),
        (#"(?i)refund.*order"#, ["gap"]),
        (#"\bfoo\b.+?\bbar\b"#, ["gap"]),
        (#"(?i)\b(lost|stolen)\b.{0,40}\bcard\b"#, []),
        (#"(a+)++"#, []),
        (#"(?>a+)+"#, []),
        (#"(ab)+"#, []),
        (#"(a+){2}"#, []),
        (#"^.*refund"#, []),
        (#"refund.*$"#, []),
        (#"[(a+)]+"#, []),
        (#"\(a+\)+"#, []),
        (#"\p{L}+(x|y)"#, []),
        (#"a.*b|c"#, ["gap"]),
        (#"a|.*b"#, []),
    ]

    @Test("patterns prone to catastrophic backtracking are warned about", arguments: patterns)
    func backtracking(pattern: String, warns: [String]) throws {
        let set = try ruleSet(
            """
            rules:
              - id: probe
                when: { field: body, matches: '\(pattern)' }
                then: { department: general }
            """)
        let kinds = set.warnings.map { $0.message.hasPrefix("nested") ? "nested" : "gap" }
        #expect(kinds == warns, "\(set.warnings)")
        #expect(set.warnings.allSatisfy { $0.severity == .warning })
    }

    @Test("warnings are printed at their line and column: the shape in the pattern, the rule that can never fire, unused departments")
    func verbatim() throws {
        let set = try ruleSet(
            """
            rules:
              - id: any-card
                when: { field: text, matches: '(?i)card.*(blocked|stolen)' }
                then: { department: cards }
              - id: stolen-card
                when: { field: text, contains: stolen }
                then: { department: fraud_security }
                examples:
                  match: [my card was stolen, "card stolen"]
              - id: words
                fallback: true
                when: { field: body, matches: "(\\\\w+\\\\s?)+$" }
                then: { department: general }
            """)
        #expect(
            set.lint(departments: departments, configuration: "switchyard.yaml").map(\.description) == [
                "Rules/test.yaml:3:44: warning: unbounded `.*` between words can try every split of a long text; bound it, for example `.{0,40}` at rules[0].when.matches",
                #"Rules/test.yaml:5:5: warning: rule "stolen-card" can never fire on its examples: "any-card" (Rules/test.yaml:2:5) decides all of them first; move it earlier, give it `priority:`, or narrow the earlier rule"#,
                "Rules/test.yaml:12:36: warning: nested quantifiers: a group repeated without bound around a repetition without bound can backtrack catastrophically on a long text (PCRE2 then stops at its limit and the rule does not match); bound one of them, make it possessive (`++`) or atomic (`(?>…)`) at rules[2].when.matches",
                "switchyard.yaml: warning: no rule sends tickets to disputes_refunds; only the model stage and the default department reach them",
            ])
    }
}
