import SwitchyardCore
import SwitchyardRules
import Testing

@Suite("Rule sets: matching tickets")
struct RuleMatchingTests {
    @Test("a deciding rule returns its department, priority and tags")
    func decidingMatch() throws {
        let set = try ruleSet(exampleRules)
        let match = set.firstDecidingMatch(for: ticket(subject: "Help", body: "I LOST my debit card yesterday"))
        #expect(
            match
                == RuleMatch(ruleID: "lost-or-stolen-card", department: "fraud_security", priority: .urgent, tags: ["lost-card"])
        )
        #expect(set.firstDecidingMatch(for: ticket(subject: "Where is my card?")) == nil)
    }

    @Test("fallback rules are skipped by firstDecidingMatch and found by firstFallbackMatch")
    func fallbackRules() throws {
        let set = try ruleSet(exampleRules)
        let refund = ticket(subject: "Refund for invoice 42")
        #expect(set.firstDecidingMatch(for: refund) == nil)
        let fallback = set.firstFallbackMatch(for: refund)
        #expect(fallback == RuleMatch(ruleID: "generic-fallback-billing", department: "disputes_refunds"))
        // Deciding rules are never consulted as fallbacks.
        #expect(set.firstFallbackMatch(for: ticket(subject: "stolen card")) == nil)
    }

    @Test("the first matching deciding rule wins, in file order across files")
    func firstRuleWinsAcrossFiles() throws {
        try withTemporaryDirectory { directory in
            try directory.write(
                """
                rules:
                  - id: cards-late
                    when: { field: text, matches: '(?i)\\bcard\\b' }
                    then: { department: cards }
                """,
                to: "20-cards.yaml"
            )
            try directory.write(
                """
                rules:
                  - id: fraud-first
                    when: { field: text, matches: '(?i)\\bstolen\\b' }
                    then: { department: fraud_security }
                  - id: anything-with-card
                    when: { field: text, matches: '(?i)card' }
                    then: { department: general }
                """,
                to: "10-fraud.yaml"
            )
            let set = try RuleSet.load(directory: directory, departments: departments)
            #expect(set.rules.map(\.id) == ["fraud-first", "anything-with-card", "cards-late"])
            #expect(set.firstDecidingMatch(for: ticket(body: "my card was stolen"))?.ruleID == "fraud-first")
            #expect(set.firstDecidingMatch(for: ticket(body: "my card is late"))?.ruleID == "anything-with-card")
        }
    }

    @Test(
        "each field reads its part of the ticket",
        arguments: [
            ("subject", "^Refund$"), ("body", "chargeback"), ("text", "Refund\\nI want"),
            ("requester.email", "@example\\.com$"), ("requester.name", "^Ana"), ("channel", "^email$"),
            ("language", "^fr"), ("tags", "^vip$"), ("custom.plan", "^enterprise$"),
        ]
    )
    func fields(field: String, pattern: String) throws {
        let set = try ruleSet(
            """
            rules:
              - id: probe
                when: { field: \(field), matches: '\(pattern)' }
                then: { department: general }
            """
        )
        let full = ticket(
            subject: "Refund", body: "I want a chargeback",
            requester: Requester(name: "Ana Lima", email: "ana@example.com"),
            tags: ["new", "vip"], channel: "email", language: "fr-CA", customFields: ["plan": "enterprise"]
        )
        #expect(set.firstDecidingMatch(for: full)?.ruleID == "probe")
        // The same test on a ticket without the field (or a different value) does not match.
        let bare = ticket(subject: "Question", body: "Hello", tags: ["new"])
        #expect(set.firstDecidingMatch(for: bare) == nil)
    }

    @Test("absent optional fields never match, not even a pattern that matches the empty string")
    func absentFieldsNeverMatch() throws {
        let set = try ruleSet(
            """
            rules:
              - id: no-email
                when: { field: requester.email, matches: '^$|.*' }
                then: { department: general }
              - id: no-custom
                when: { field: custom.plan, matches: '.*' }
                then: { department: general }
              - id: no-tags
                when: { field: tags, matches: '.*' }
                then: { department: general }
            """
        )
        #expect(set.firstDecidingMatch(for: ticket(subject: "x", requester: Requester(name: "No Email"))) == nil)
        #expect(set.firstDecidingMatch(for: ticket(subject: "x", requester: Requester(email: "")))?.ruleID == "no-email")
    }

    @Test("all and any nest")
    func nesting() throws {
        let set = try ruleSet(
            """
            rules:
              - id: vip-refund
                when:
                  all:
                    - field: tags
                      matches: '^vip$'
                    - any:
                        - { field: subject, matches: '(?i)refund' }
                        - all:
                            - { field: body, matches: '(?i)money' }
                            - { field: body, matches: '(?i)back' }
                then: { department: disputes_refunds, priority: high }
            """
        )
        #expect(set.firstDecidingMatch(for: ticket(subject: "Refund", tags: ["vip"]))?.ruleID == "vip-refund")
        #expect(set.firstDecidingMatch(for: ticket(body: "I want my money back", tags: ["vip"]))?.ruleID == "vip-refund")
        #expect(set.firstDecidingMatch(for: ticket(body: "I want my money", tags: ["vip"])) == nil)
        #expect(set.firstDecidingMatch(for: ticket(subject: "Refund", tags: ["regular"])) == nil)
    }

    @Test("UTF-8 text with accents and emoji matches case-insensitively")
    func unicodeText() throws {
        let set = try ruleSet(
            """
            rules:
              - id: carte-volee
                when: { field: text, matches: '(?i)\\bcarte\\b.*\\bvolée\\b' }
                then: { department: fraud_security }
              - id: angry
                when: { field: body, matches: '😡' }
                then: { department: general }
            """
        )
        #expect(set.firstDecidingMatch(for: ticket(subject: "CARTE VOLÉE !!"))?.ruleID == "carte-volee")
        #expect(set.firstDecidingMatch(for: ticket(body: "Ça ne marche pas 😡😡"))?.ruleID == "angry")
    }

    @Test("a match stopped by the limits counts as no match and is reported")
    func limitsReported() throws {
        let set = try ruleSet(
            """
            rules:
              - id: catastrophic
                when: { field: body, matches: '^(a+)+$' }
                then: { department: fraud_security }
              - id: next
                when: { field: body, matches: 'b$' }
                then: { department: general }
            """
        )
        let hostile = ticket(body: String(repeating: "a", count: 5_000) + "b")
        let evaluation = set.evaluate(hostile, kind: .deciding)
        #expect(evaluation.match?.ruleID == "next")
        #expect(
            evaluation.stoppedMatches == [
                .init(ruleID: "catastrophic", field: .body, test: "matches '^(a+)+$'", reason: .matchLimit)
            ]
        )
        #expect(set.firstDecidingMatch(for: hostile)?.ruleID == "next")
    }

    @Test("rule files may set their own match limits")
    func customLimits() throws {
        let set = try RuleSet.parse(
            """
            rules:
              - id: nested
                when: { field: body, matches: '^(a+)+$' }
                then: { department: general }
            """,
            file: "Rules/limits.yaml",
            departments: departments,
            limits: MatchLimits(matchLimit: 50, depthLimit: 10)
        )
        let evaluation = set.evaluate(ticket(body: String(repeating: "a", count: 12) + "b"), kind: .deciding)
        #expect(evaluation.match == nil)
        #expect(evaluation.stoppedMatches.map(\.reason) == [.matchLimit])
    }
}
