import Foundation
import SwitchyardCore
import SwitchyardRules
import Testing

/// One condition, one ticket, whether it holds: every operator, its case handling and its
/// edge cases.
struct OperatorCase: CustomTestStringConvertible, Sendable {
    var condition: String
    var ticket: Ticket
    var holds: Bool
    var testDescription: String { "\(condition) → \(holds)" }
}

@Suite("Rule operators, combinators and fields")
struct RuleOperatorTests {
    static let sample = ticket(
        subject: "Refund for order 1234", body: "Straße closed, my CARD was charged twice",
        requester: Requester(name: "Ana Lima", email: "Ana@Example.COM"),
        tags: ["vip", "billing"], channel: "email", language: "de",
        customFields: ["amount": "249.90", "plan": "Enterprise", "empty": "", "note": "n/a"]
    )

    static let cases: [OperatorCase] = [
        // The platform's own priority and status.
        .init(condition: "{ field: priority, in: [high, urgent] }", ticket: ticket(priority: "High"), holds: true),
        .init(condition: "{ field: status, equals: new }", ticket: ticket(status: "new"), holds: true),
        .init(condition: "{ field: status, exists: false }", ticket: ticket(), holds: true),
        .init(condition: "{ field: priority, greater_than: 2 }", ticket: ticket(priority: "3"), holds: true),
        // contains / equals / starts_with / ends_with: case-insensitive unless case_sensitive.
        .init(condition: "{ field: body, contains: 'card was' }", ticket: sample, holds: true),
        .init(condition: "{ field: body, contains: 'card was', case_sensitive: true }", ticket: sample, holds: false),
        .init(condition: "{ field: body, contains: 'CARD was', case_sensitive: true }", ticket: sample, holds: true),
        .init(condition: "{ field: body, contains: 'STRASSE' }", ticket: sample, holds: false),
        .init(condition: "{ field: body, contains: 'STRAẞE' }", ticket: sample, holds: true),
        .init(condition: "{ field: custom.plan, equals: enterprise }", ticket: sample, holds: true),
        .init(condition: "{ field: custom.plan, equals: enterprise, case_sensitive: true }", ticket: sample, holds: false),
        .init(condition: "{ field: custom.plan, equals: enter }", ticket: sample, holds: false),
        .init(condition: "{ field: subject, starts_with: 'refund ' }", ticket: sample, holds: true),
        .init(condition: "{ field: subject, starts_with: 'order' }", ticket: sample, holds: false),
        .init(condition: "{ field: subject, ends_with: '1234' }", ticket: sample, holds: true),
        .init(condition: "{ field: subject, ends_with: 'refund' }", ticket: sample, holds: false),
        // in: any listed value, whole value only; on tags, any tag.
        .init(condition: "{ field: channel, in: [chat, EMAIL] }", ticket: sample, holds: true),
        .init(condition: "{ field: channel, in: [chat, EMAIL], case_sensitive: true }", ticket: sample, holds: false),
        .init(condition: "{ field: channel, in: [mail] }", ticket: sample, holds: false),
        .init(condition: "{ field: tags, in: [urgent, billing] }", ticket: sample, holds: true),
        // exists: an empty value counts as absent.
        .init(condition: "{ field: custom.plan, exists: true }", ticket: sample, holds: true),
        .init(condition: "{ field: custom.empty, exists: true }", ticket: sample, holds: false),
        .init(condition: "{ field: custom.empty, exists: false }", ticket: sample, holds: true),
        .init(condition: "{ field: custom.missing, exists: false }", ticket: sample, holds: true),
        .init(condition: "{ field: requester.email, exists: false }", ticket: ticket(subject: "x"), holds: true),
        .init(condition: "{ field: tags, exists: false }", ticket: ticket(subject: "x"), holds: true),
        .init(condition: "{ field: tags, exists: true }", ticket: sample, holds: true),
        // greater_than / less_than: numbers only; a value that is not a number never compares.
        .init(condition: "{ field: custom.amount, greater_than: 200 }", ticket: sample, holds: true),
        .init(condition: "{ field: custom.amount, greater_than: 249.90 }", ticket: sample, holds: false),
        .init(condition: "{ field: custom.amount, less_than: 250 }", ticket: sample, holds: true),
        .init(condition: "{ field: custom.amount, less_than: -1 }", ticket: sample, holds: false),
        .init(condition: "{ field: custom.note, greater_than: 0 }", ticket: sample, holds: false),
        .init(condition: "{ field: custom.note, less_than: 0 }", ticket: sample, holds: false),
        .init(condition: "{ field: custom.missing, less_than: 10 }", ticket: sample, holds: false),
        // New fields.
        .init(condition: "{ field: requester.domain, equals: example.com }", ticket: sample, holds: true),
        .init(condition: "{ field: requester.domain, equals: example.com, case_sensitive: true }", ticket: sample, holds: true),
        .init(condition: "{ field: requester.domain, exists: false }", ticket: ticket(requester: Requester(email: "no-at-sign")), holds: true),
        .init(condition: "{ field: source, equals: generic }", ticket: sample, holds: true),
        .init(condition: "{ field: source, in: [zendesk, freshdesk] }", ticket: sample, holds: false),
        // none, nested in the others and holding them.
        .init(condition: "{ none: [{ field: tags, in: [vip] }] }", ticket: sample, holds: false),
        .init(condition: "{ none: [{ field: tags, in: [spam] }, { field: channel, equals: chat }] }", ticket: sample, holds: true),
        .init(
            condition: "{ all: [{ field: subject, contains: refund }, { none: [{ field: body, matches: '(?i)\\btwice\\b' }] }] }",
            ticket: sample, holds: false),
        .init(
            condition: "{ any: [{ none: [{ field: language, equals: de }] }, { field: custom.amount, greater_than: 100 }] }",
            ticket: sample, holds: true),
    ]

    @Test("holds or not", arguments: cases)
    func operators(_ operatorCase: OperatorCase) throws {
        let set = try ruleSet(
            """
            rules:
              - id: probe
                when: \(operatorCase.condition)
                then: { department: general }
            """
        )
        #expect((set.firstDecidingMatch(for: operatorCase.ticket) != nil) == operatorCase.holds)
    }

    static let invalid: [(condition: String, message: String)] = [
        ("{ field: body, contains: '' }", "2:36: error: empty text at rules[0].when.contains; to test for a missing value use `exists: false`"),
        ("{ field: body, in: [] }", "2:30: error: `in` at rules[0].when.in needs at least one value"),
        ("{ field: body, in: x }", #"2:30: error: rules[0].when.in must be a list of values, found "x""#),
        ("{ field: body, exists: maybe }", #"2:34: error: rules[0].when.exists must be true or false, found "maybe""#),
        ("{ field: custom.n, greater_than: ten }", #"2:44: error: rules[0].when.greater_than must be a number, found "ten""#),
        ("{ field: custom.n, less_than: '5' }", #"2:41: error: rules[0].when.less_than must be a number, found "5""#),
        (
            "{ field: body, matches: x, case_sensitive: true }",
            "2:54: error: `case_sensitive` at rules[0].when applies to contains, equals, starts_with, ends_with, in, not `matches`; a pattern is case-sensitive unless it starts with (?i)"
        ),
        (
            "{ field: body, contains: a, equals: b }",
            "2:11: error: more than one test (contains, equals) at rules[0].when; combine separate conditions with `all` or `any`"
        ),
        ("{ none: [] }", "2:19: error: `none` at rules[0].when.none needs at least one condition"),
    ]

    @Test("mistakes are reported at their line and column", arguments: invalid)
    func mistakes(condition: String, message: String) throws {
        let problems = try diagnostics(
            """
            rules:
              - when: \(condition)
                id: probe
                then: { department: general }
            """
        )
        #expect(problems.map(\.description) == ["Rules/test.yaml:" + message])
    }
}

@Suite("Annotating rules (decide: false)")
struct AnnotatingRuleTests {
    static let rules = """
        rules:
          - id: vip
            decide: false
            when: { field: tags, in: [vip] }
            then: { priority: high, tags: [vip-customer] }
          - id: card
            when: { field: text, contains: card }
            then: { department: cards, priority: low, tags: [card] }
          - id: urgent-words
            decide: false
            when: { field: text, contains: urgent }
            then: { priority: urgent, tags: [vip-customer, shouting] }
        """

    @Test("every matching annotating rule adds, in order; deciding rules do not see them")
    func annotationsCombine() throws {
        let set = try ruleSet(Self.rules)
        let both = set.annotations(for: ticket(body: "URGENT: my card", tags: ["vip"]))
        #expect(both.ruleIDs == ["vip", "urgent-words"])
        #expect(both.priority == .urgent)
        #expect(both.tags == ["vip-customer", "shouting"])
        #expect(set.firstDecidingMatch(for: ticket(body: "URGENT: my card", tags: ["vip"]))?.ruleID == "card")

        let one = set.annotations(for: ticket(body: "my card", tags: ["vip"]))
        #expect(one.priority == .high)
        func decided(_ priority: Priority?, tags: [String]) -> Decision {
            Decision(
                department: "cards", priority: priority, tags: tags, confidence: 1,
                provenance: Provenance(stage: .rule, rulesetVersion: "x"), decidedAt: Date(timeIntervalSince1970: 0))
        }
        let applied = one.applied(to: decided(.low, tags: ["card", "vip-customer"]))
        #expect(applied.priority == .high)
        #expect(applied.tags == ["vip-customer", "card"])
        #expect(one.applied(to: decided(.urgent, tags: [])).priority == .urgent, "a decider's higher priority stays")
        #expect(set.annotations(for: ticket(body: "hello")) == RuleAnnotations())
    }

    @Test("an annotating rule names no department and needs priority, tags or fields; it is not a fallback")
    func annotationMistakes() throws {
        let problems = try diagnostics(
            """
            rules:
              - id: a
                decide: false
                when: { field: body, contains: x }
                then: { department: cards }
              - id: b
                decide: false
                when: { field: body, contains: x }
                then: {}
              - id: c
                decide: false
                fallback: true
                when: { field: body, contains: x }
                then: { tags: [x] }
            """
        )
        #expect(
            problems.map(\.description) == [
                "Rules/test.yaml:5:25: error: an annotating rule (decide: false) leaves the department to the next stages; remove rules[0].then.department, or remove `decide: false` to make the rule decide",
                "Rules/test.yaml:9:11: error: an annotating rule (decide: false) needs priority, tags or fields at rules[1].then",
                "Rules/test.yaml:11:13: error: a fallback rule decides when the model could not; `decide: false` and `fallback: true` cannot go together at rules[2]",
            ])
    }
}
