import Foundation
import SwitchyardCore
import SwitchyardRules
import Testing

/// One rule with captures in its action, one ticket, the tags and fields it gives.
struct CaptureCase: CustomTestStringConvertible, Sendable {
    var when: String
    var then: String
    var body: String
    var tags: [String]
    var fields: [String: String] = [:]
    var testDescription: String { "\(when) → \(then)" }
}

@Suite("Regex captures in rule actions")
struct RuleCaptureTests {
    static let cases: [CaptureCase] = [
        // Numbered groups, the whole match, several in one value.
        .init(
            when: #"{ field: body, matches: '(?i)order (\d+)' }"#, then: #"{ department: general, tags: ["order-${1}"] }"#,
            body: "Where is order 4711?", tags: ["order-4711"]),
        .init(
            when: #"{ field: body, matches: '([A-Z]{3})-(\d+)' }"#,
            then: #"{ department: general, tags: ["${0}", "${2}-${1}"] }"#, body: "ref ABC-12 please",
            tags: ["ABC-12", "12-ABC"]),
        // Named groups in fields and tags.
        .init(
            when: #"{ field: body, matches: 'ORD-(?<order>\d{6})' }"#,
            then: #"{ department: general, tags: ["o-${order}"], fields: { order_id: "${order}", note: "seen ${order}" } }"#,
            body: "Where is ORD-123456?", tags: ["o-123456"], fields: ["order_id": "123456", "note": "seen 123456"]),
        // A group that took no part: its fallback, or nothing; an empty tag or field is left out.
        .init(
            when: #"{ field: body, matches: 'order( #(\d+))?' }"#,
            then: #"{ department: general, tags: ["n-${2:-none}", "${2}"], fields: { order: "${2}" } }"#,
            body: "my order", tags: ["n-none"]),
        // Numbered groups come from the first pattern that held; named ones from any.
        .init(
            when: #"{ all: [ { field: subject, matches: '(\w+)@' }, { field: body, matches: '(?<code>\d+)' } ] }"#,
            then: #"{ department: general, tags: ["${1}", "${code}"] }"#, body: "code 99", tags: ["ana", "99"]),
        // Under `any`, the test that held gives the groups.
        .init(
            when: #"{ any: [ { field: body, matches: 'ticket (\d+)' }, { field: body, matches: 'case (\d+)' } ] }"#,
            then: #"{ department: general, tags: ["ref-${1}"] }"#, body: "about case 77", tags: ["ref-77"]),
        // `$$` is a literal dollar sign; captured text keeps its accents.
        .init(
            when: #"{ field: body, matches: 'für (\p{L}+)' }"#, then: #"{ department: general, tags: ["$$${1}"] }"#,
            body: "Rechnung für Müller", tags: ["$Müller"]),
    ]

    @Test("captures fill in tags and fields", arguments: cases)
    func captures(_ probe: CaptureCase) throws {
        let set = try ruleSet(
            """
            rules:
              - id: probe
                when: \(probe.when)
                then: \(probe.then)
            """)
        let match = try #require(set.firstDecidingMatch(for: ticket(subject: "ana@example.com", body: probe.body)))
        #expect(match.tags == probe.tags)
        #expect(match.fields == probe.fields)
    }

    @Test("an annotating rule's fields reach the decision; the first rule to set a field wins")
    func annotationFields() throws {
        let set = try ruleSet(
            """
            rules:
              - id: order
                decide: false
                when: { field: body, matches: 'ORD-(?<order>\\d+)' }
                then: { fields: { order_id: "${order}", origin: annotation } }
              - id: refund
                when: { field: body, contains: refund }
                then: { department: disputes_refunds, fields: { origin: rule, kind: refund } }
            """)
        let probe = ticket(body: "refund for ORD-42")
        let annotations = set.annotations(for: probe)
        #expect(annotations.fields == ["order_id": "42", "origin": "annotation"])
        let match = try #require(set.firstDecidingMatch(for: probe))
        let decision = annotations.applied(
            to: Decision(
                department: match.department, fields: match.fields, confidence: 1,
                provenance: Provenance(stage: .rule, rulesetVersion: set.version), decidedAt: Date(timeIntervalSince1970: 0)))
        #expect(decision.fields == ["order_id": "42", "origin": "annotation", "kind": "refund"])
    }

    static let invalid: [(then: String, message: String)] = [
        (
            #"{ department: general, tags: ["x-${3}"] }"#,
            "3:44: error: ${3} refers to group 3, but the rule's patterns have at most 2 at rules[0].then.tags[0]"
        ),
        (
            #"{ department: general, fields: { id: "${order}" } }"#,
            "3:49: error: ${order} is not a named group of the rule's patterns (write (?<order>…) in a pattern); named groups: code at rules[0].then.fields.id"
        ),
        (
            #"{ department: general, tags: ["x-${1"] }"#,
            "3:44: error: unterminated ${ (no closing }) at rules[0].then.tags[0]"
        ),
        (
            #"{ department: general, tags: ["${}"] }"#,
            "3:42: error: empty reference ${} (write a name between the braces, or $$ for a literal $) at rules[0].then.tags[0]"
        ),
        (
            #"{ department: general, fields: { "bad name": x } }"#,
            "3:56: error: invalid field name \"bad name\" at rules[0].then.fields: use letters, digits, '_' and '-'"
        ),
    ]

    @Test("references that cannot be filled in are errors at their line and column", arguments: invalid)
    func invalidReferences(then: String, message: String) throws {
        let problems = try diagnostics(
            """
            rules:
              - id: probe
                then: \(then)
                when: { all: [ { field: body, matches: '(a)(?<code>b)' }, { none: [ { field: body, matches: '(c)(d)(e)' } ] } ] }
            """)
        #expect(problems.map(\.description) == ["Rules/test.yaml:" + message])
    }

    @Test("a rule without patterns has no groups to refer to")
    func noGroups() throws {
        let problems = try diagnostics(
            """
            rules:
              - id: probe
                when: { field: body, contains: order }
                then: { department: general, tags: ["o-${1}"] }
            """)
        #expect(
            problems.map(\.description) == [
                "Rules/test.yaml:4:44: error: ${1} refers to a capture group, but the rule's patterns (`matches`, outside `none`) have none at rules[0].then.tags[0]"
            ])
    }
}

@Suite("Evaluation traces")
struct RuleTraceTests {
    static let rules = """
        rules:
          - id: vip
            decide: false
            when: { field: tags, in: [vip] }
            then: { priority: high }
          - id: refund
            when:
              all:
                - { field: subject, contains: refund }
                - none: [ { field: body, matches: '(?i)chargeback' } ]
            then: { department: disputes_refunds }
          - id: lost-card
            when:
              any:
                - { field: body, matches: '(?i)\\blost\\b' }
                - { field: body, ends_with: 'stolen' }
            then: { department: fraud_security }
          - id: never
            when: { field: channel, equals: fax }
            then: { department: general }
        """

    @Test("a full trace lists every rule considered, each test that ran, what held and where")
    func fullTrace() throws {
        let set = try ruleSet(Self.rules)
        let probe = ticket(subject: "Refund please", body: "I LOST my card, chargeback, it was stolen")
        let evaluation = set.evaluate(probe, kind: .deciding, trace: .full)
        #expect(evaluation.match?.ruleID == "lost-card")
        #expect(
            evaluation.trace.steps == [
                RuleStep(
                    ruleID: "refund", kind: "deciding", matched: false,
                    tests: [
                        TestStep(
                            path: "when.all[0]", field: "subject", test: "contains 'refund'", held: true,
                            spans: [TextSpan(start: 0, end: 6)]),
                        TestStep(
                            path: "when.all[1].none[0]", field: "body", test: "matches '(?i)chargeback'", held: true,
                            spans: [TextSpan(start: 16, end: 26)]),
                    ]),
                RuleStep(
                    ruleID: "lost-card", kind: "deciding", matched: true,
                    tests: [
                        TestStep(
                            path: "when.any[0]", field: "body", test: #"matches '(?i)\blost\b'"#, held: true,
                            spans: [TextSpan(start: 2, end: 6)])
                    ]),
            ])
        #expect(evaluation.trace.omitted == 0)
        let annotations = set.annotations(for: ticket(tags: ["new", "vip"]), trace: .full)
        #expect(
            annotations.trace.steps == [
                RuleStep(
                    ruleID: "vip", kind: "annotating", matched: true,
                    tests: [
                        TestStep(
                            path: "when", field: "tags", test: "in ['vip']", held: true, spans: [TextSpan(value: 1, start: 0, end: 3)])
                    ])
            ])
    }

    @Test("spans count Unicode code points, and a summary trace keeps only the rules that came close")
    func summaryTrace() throws {
        let set = try ruleSet(Self.rules)
        let probe = ticket(subject: "Überweisung", body: "Straße: Karte gestohlen, stolen")
        let evaluation = set.evaluate(probe, kind: .deciding, trace: .summary)
        #expect(evaluation.match?.ruleID == "lost-card")
        #expect(evaluation.trace.steps.map(\.ruleID) == ["lost-card"])
        #expect(evaluation.trace.omitted == 1, "refund ran and no test held")
        #expect(evaluation.trace.steps.first?.tests.last?.spans == [TextSpan(start: 25, end: 31)])
        #expect(set.evaluate(probe, kind: .deciding).trace.isEmpty, "no trace unless asked")

        let none = set.evaluate(ticket(channel: "email"), kind: .deciding, trace: .summary)
        #expect(none.match == nil)
        #expect(none.trace.steps.isEmpty)
        #expect(none.trace.omitted == 3)
    }

    @Test("a catastrophic pattern on a 1 MB body is stopped at the match limit and is on the trace, without ticket text")
    func stoppedMatchOnTrace() throws {
        let set = try RuleSet.parse(
            """
            rules:
              - id: catastrophic
                when: { field: body, matches: '(a+)+$' }
                then: { department: general }
            """, file: "Rules/test.yaml", departments: departments, limits: MatchLimits(matchLimit: 10_000, depthLimit: 1_000))
        // A 1 MB body: the match limit bounds the work, whatever the text's length.
        let body = String(repeating: "a", count: 1 << 20) + "!"
        let evaluation = set.evaluate(ticket(body: body), kind: .deciding, trace: .summary)
        #expect(evaluation.match == nil)
        let test = try #require(evaluation.trace.steps.first?.tests.first)
        #expect(test.held == false)
        #expect(test.stopped == "match limit reached")
        #expect(evaluation.stoppedMatches.map(\.ruleID) == ["catastrophic"])
    }
}

@Suite("rules explain")
struct RuleExplanationTests {
    @Test("the explanation lists every rule in order, each test, the matched text and why evaluation stopped")
    func explanationText() throws {
        let set = try ruleSet(RuleTraceTests.rules)
        let decided = set.explain(ticket(subject: "Refund please", body: "I lost my card", tags: ["vip"]))
        #expect(
            decided.text(for: ticket(subject: "Refund please", body: "I lost my card", tags: ["vip"])) == """
                ruleset \(set.version)

                annotating rules (every match adds tags, priority and fields):
                  ✓ vip  Rules/test.yaml:2:5
                      when: tags in ['vip'] — held: "vip" at tag 0, 0–3
                  → annotated by vip

                deciding rules (the first match decides):
                  ✓ refund  Rules/test.yaml:6:5
                      when.all[0]: subject contains 'refund' — held: "Refund" at 0–6
                      when.all[1].none[0]: body matches '(?i)chargeback' — did not hold
                  → stopped: "refund" decides disputes_refunds; no model is asked
                """)
        let probe = ticket(body: "nothing to see")
        #expect(
            set.explain(probe).text(for: probe) == """
                ruleset \(set.version)

                annotating rules (every match adds tags, priority and fields):
                  ✗ vip  Rules/test.yaml:2:5
                      when: tags in ['vip'] — did not hold
                  → none matched

                deciding rules (the first match decides):
                  ✗ refund  Rules/test.yaml:6:5
                      when.all[0]: subject contains 'refund' — did not hold
                  ✗ lost-card  Rules/test.yaml:12:5
                      when.any[0]: body matches '(?i)\\blost\\b' — did not hold
                      when.any[1]: body ends_with 'stolen' — did not hold
                  ✗ never  Rules/test.yaml:18:5
                      when: channel equals 'fax' — did not hold
                  → no deciding rule matched: the model stage decides

                fallback rules (the first match decides when the model stage cannot):
                  none
                  → if the model stage cannot decide and no fallback rule matches: the default department
                """)
    }
}
