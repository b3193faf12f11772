import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardRules

@Suite("Rule prefilter")
struct RulePrefilterTests {
    /// Patterns and the literals one of which any match must contain (nil: none can be said).
    static let requirements: [(pattern: String, literals: Set<String>?)] = [
        (#"(?i)\brefund\b"#, ["refund"]),
        (#"(?i)\b(lost|stolen|missing)\b.{0,40}\bcard\b"#, ["card"]),
        (#"charged (twice|two times)"#, ["charged "]),
        (#"(?i)(refund|chargeback)"#, ["refund", "chargeback"]),
        (#"ORD-\d{6}"#, ["ord-"]),
        (#"colou?r"#, ["colo"]),
        (#"(?i)top[ -]?up"#, ["top"]),
        (#"abc|de"#, nil),
        (#"(abc)?xyz"#, ["xyz"]),
        (#"(?:wire|bank) transfer"#, [" transfer"]),
        (#"(?<order>\d+)-refund"#, ["-refund"]),
        (#"(?=.*urgent)help"#, ["help"]),
        (#"\bcafé\b"#, ["caf"]),
        (#"a.b"#, nil),
        (#"(?x) r e f u n d"#, nil),
        (#"(a)\1refund"#, nil),
        (#"\Qa+b\E"#, nil),
        (#"x{2}yz"#, nil),
        (#"fee\.s"#, ["fee.s"]),
        (#"[abc]+ticket"#, ["ticket"]),
        (#"(?i:PIN) blocked"#, [" blocked"]),
        (#"^\s*$"#, nil),
    ]

    @Test("the literals a pattern needs are read conservatively", arguments: requirements)
    func literals(pattern: String, literals: Set<String>?) {
        #expect(RequiredLiterals.of(pattern: pattern) == literals)
    }

    static let texts = [
        "I lost my card yesterday", "My CARD was STOLEN", "refund please", "I was charged twice for one coffee",
        "Where is ORD-123456?", "what colour is it", "top-up failed", "topup failed", "de", "abcxyz", "xyz",
        "bank transfer pending", "42-refund", "urgent: help", "help", "Café Müller", "axb", "refund", "",
        "xxyz", "fee.s", "bticket", "pin blocked", "PIN blocked", "   ", "ﬁ ligature refund", "İstanbul card lost",
    ]

    @Test("with or without the prefilter, every rule decides the same tickets")
    func sameDecisions() throws {
        var yaml = "rules:\n"
        for (index, probe) in Self.requirements.enumerated() {
            yaml += "  - id: p\(index)\n    when: { field: text, matches: '\(probe.pattern.replacingOccurrences(of: "'", with: "''"))' }\n"
            yaml += "    then: { department: general }\n"
        }
        yaml += """
              - id: words
                when: { any: [ { field: body, contains: Stolen, case_sensitive: true }, { field: tags, in: [vip, gold] } ] }
                then: { department: general }
              - id: all-of
                when: { all: [ { field: body, contains: card }, { none: [ { field: body, contains: lost } ] } ] }
                then: { department: general }
              - id: amount
                when: { field: custom.amount, greater_than: 100 }
                then: { department: general }

            """
        let set = try ruleSet(yaml)
        #expect(set.prefilteredRules > set.rules.count / 2, "most rules have a literal")
        #expect(set.rulesRunningOnEveryTicket.contains("amount"), "a number test needs no literal")
        #expect(set.rulesRunningOnEveryTicket.contains("p7"), "abc|de: a branch without one")
        #expect(!set.rulesRunningOnEveryTicket.contains("words"))
        #expect(set.rulesRunningOnEveryTicket.count == set.rules.count - set.prefilteredRules)
        for text in Self.texts {
            for tags in [[], ["VIP"]] {
                let probe = ticket(subject: "", body: text, tags: tags, customFields: ["amount": "120"])
                let all = set.rules.filter { $0.conditionHolds(for: probe).holds }.map(\.id)
                let candidates = Set(set.candidates(for: probe).indices.map { set.rules[$0].id })
                #expect(Set(all).isSubset(of: candidates), "\(text): a rule that matches was skipped: \(Set(all).subtracting(candidates))")
                #expect(
                    set.evaluate(probe, kind: .deciding).match?.ruleID == set.evaluate(probe, kind: .deciding, trace: .full).match?.ruleID,
                    "\(text)")
            }
        }
    }

    @Test("a summary trace counts the rules the prefilter skipped as omitted")
    func omittedCounts() throws {
        let set = try ruleSet(
            """
            rules:
              - { id: a, when: { field: body, contains: alpha }, then: { department: general } }
              - { id: b, when: { field: body, contains: beta }, then: { department: general } }
              - { id: c, when: { field: body, contains: gamma }, then: { department: cards } }
              - { id: d, when: { field: body, contains: delta }, then: { department: cards } }
            """)
        let evaluation = set.evaluate(ticket(body: "gamma ray, alphabet"), kind: .deciding, trace: .summary)
        #expect(evaluation.match?.ruleID == "a")
        #expect(evaluation.trace.steps.map(\.ruleID) == ["a"])
        #expect(evaluation.trace.omitted == 0, "a decided first")
        let later = set.evaluate(ticket(body: "gamma ray"), kind: .deciding, trace: .summary)
        #expect(later.match?.ruleID == "c")
        #expect(later.trace.omitted == 2, "a and b were skipped before c decided")
        let none = set.evaluate(ticket(body: "nothing"), kind: .deciding, trace: .summary)
        #expect(none.trace.omitted == 4)
    }

    @Test("the automaton finds every literal once, overlapping ones too")
    func automaton() {
        let automaton = LiteralAutomaton(["he", "she", "his", "hers", "card"])
        var found: [Int] = []
        automaton.scan(Array("ushers and she and he".utf8)) { found.append($0) }
        #expect(Set(found) == [0, 1, 3])
        #expect(found.count == 3)
    }
}
