import SwitchyardCore
import SwitchyardRules
import Testing

@Suite("Inline examples and precedence")
struct RuleExampleTests {
    @Test("examples pass when each match is decided by its rule and each no_match is not matched")
    func passing() throws {
        let set = try ruleSet(
            """
            rules:
              - id: stolen
                when: { field: text, matches: '(?i)\\bstolen\\b' }
                then: { department: fraud_security }
                examples:
                  match: ["my card was stolen", { subject: "Stolen", body: "help" }]
                  no_match: ["I stole the show"]
              - id: vip
                decide: false
                when: { field: requester.domain, equals: board.example.com }
                then: { priority: urgent }
                examples:
                  match: [{ body: "hi", requester: { email: "ceo@board.example.com" } }]
                  no_match: [{ body: "hi", requester: { email: "ceo@example.com" } }, "no requester"]
              - id: plan
                fallback: true
                when: { field: custom.plan, in: [metal] }
                then: { department: cards }
                examples:
                  match: [{ custom_fields: { plan: Metal } }]
            """
        )
        let report = set.runExamples()
        #expect(report.failures == [])
        #expect(report.examples == 7)
        #expect(report.rulesWithExamples == 3)
    }

    @Test("a shadowed rule, a match that does not match and a no_match that does are reported at the example")
    func failing() throws {
        let set = try ruleSet(
            """
            rules:
              - id: any-card
                when: { field: text, contains: card }
                then: { department: cards }
              - id: stolen-card
                when: { field: text, contains: stolen }
                then: { department: fraud_security }
                examples:
                  match:
                    - my card was stolen
                    - somebody took it
                  no_match:
                    - stolen bike
            """
        )
        let report = set.runExamples()
        #expect(
            report.failures.map(\.description) == [
                #"Rules/test.yaml:10:11: error: example match[0] of rule "stolen-card" matches, but "any-card" (Rules/test.yaml:2:5) decides it first"#,
                #"Rules/test.yaml:11:11: error: example match[1] of rule "stolen-card" does not match it"#,
                #"Rules/test.yaml:13:11: error: example no_match[0] of rule "stolen-card" matches it"#,
            ])
    }

    @Test("priority: N runs a rule before lower ones; equal ones keep file order")
    func precedence() throws {
        let set = try ruleSet(
            """
            rules:
              - id: first-written
                when: { field: text, contains: card }
                then: { department: cards }
              - id: promoted
                priority: 10
                when: { field: text, contains: stolen }
                then: { department: fraud_security }
              - id: demoted
                priority: -5
                when: { field: text, contains: card }
                then: { department: general }
              - id: second-written
                when: { field: text, contains: refund }
                then: { department: disputes_refunds }
            """
        )
        #expect(set.rules.map(\.id) == ["promoted", "first-written", "second-written", "demoted"])
        #expect(set.firstDecidingMatch(for: ticket(body: "stolen card"))?.ruleID == "promoted")
    }

    @Test("example and precedence mistakes are reported at their place", arguments: [
        ("priority: high", #"Rules/test.yaml:3:15: error: rules[0].priority must be a number, found "high""#),
        ("priority: 1.5", #"Rules/test.yaml:3:15: error: rules[0].priority must be a whole number from -1000 to 1000 (higher runs first), found "1.5"; the ticket's priority goes under `then`"#),
        ("examples: [x]", "Rules/test.yaml:3:15: error: rules[0].examples must be a mapping with match and no_match lists, found a list"),
        ("examples: { matches: [x] }", #"Rules/test.yaml:3:17: error: unknown key "matches" in rules[0].examples; allowed keys: match, no_match"#),
        ("examples: { match: [{ title: x }] }", #"Rules/test.yaml:3:27: error: unknown key "title" in rules[0].examples.match[0]; allowed keys: subject, body, tags, channel, language, priority, status, source, requester, custom_fields"#),
    ])
    func mistakes(line: String, message: String) throws {
        let problems = try diagnostics(
            """
            rules:
              - id: probe
                \(line)
                when: { field: body, contains: x }
                then: { department: general }
            """
        )
        #expect(problems.map(\.description) == [message])
    }
}

@Suite("Scoring rules on labelled tickets")
struct RuleScoreTests {
    @Test("hits, right answers, precision and every mismatch per deciding rule; annotating and fallback rules do not decide here")
    func score() throws {
        let set = try ruleSet(
            """
            rules:
              - id: stolen
                when: { field: text, contains: stolen }
                then: { department: fraud_security }
              - id: card
                when: { field: text, contains: card }
                then: { department: cards }
              - id: never
                when: { field: text, contains: zzz }
                then: { department: general }
              - id: note
                decide: false
                when: { field: text, contains: card }
                then: { tags: [card] }
              - id: late
                fallback: true
                when: { field: text, contains: late }
                then: { department: general }
            """
        )
        let labelled: [(ticket: Ticket, label: DepartmentID)] = [
            (ticket(body: "my card was stolen"), "fraud_security"),
            (ticket(body: "is my stolen card report done?"), "cards"),
            (ticket(body: "card not here"), "cards"),
            (ticket(body: "late again"), "general"),
        ]
        let score = set.score(labelled)
        #expect(score.tickets == 4 && score.decided == 3)
        #expect(score.rules.map(\.ruleID) == ["stolen", "card", "never"])
        #expect(score.rules.map(\.hits) == [2, 1, 0])
        #expect(score.rules.map(\.correct) == [1, 1, 0])
        #expect(score.rules[0].precision == 0.5 && score.rules[2].precision == nil)
        #expect(score.mismatches == [.init(index: 1, ruleID: "stolen", decided: "fraud_security", expected: "cards")])
        #expect(score.decidedBy == ["stolen", "stolen", "card", nil])
    }
}
