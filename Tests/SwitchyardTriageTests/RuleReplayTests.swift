import Foundation
import SwitchyardCore
import SwitchyardRules
import SwitchyardTriage
import Testing

@Suite("Rule replay")
struct RuleReplayTests {
    static let departments = DepartmentCatalog([
        Department(id: "cards", name: "Cards", description: "Cards."),
        Department(id: "fraud", name: "Fraud", description: "Fraud."),
        Department(id: "general", name: "General", description: "Everything else."),
    ])

    static func rules(_ yaml: String) throws -> RuleSet {
        try RuleSet.parse(yaml, file: "Rules/test.yaml", departments: departments)
    }

    static let inForce = """
        rules:
          - id: stolen
            when: { field: body, contains: stolen }
            then: { department: fraud }
        """
    static let candidate = """
        rules:
          - id: vip
            decide: false
            when: { field: tags, in: [vip] }
            then: { priority: urgent }
          - id: lost
            when: { field: body, contains: lost }
            then: { department: fraud }
        """

    static func decision(_ department: DepartmentID, stage: Stage, by: String?) -> Decision {
        Decision(
            department: department, confidence: 0.9, provenance: Provenance(stage: stage, decidedBy: by, rulesetVersion: "old"),
            decidedAt: Date(timeIntervalSince1970: 0))
    }

    static func ticket(_ body: String, tags: [String] = []) -> Ticket {
        Ticket(externalID: "1", source: "generic", subject: "", body: body, tags: tags)
    }

    @Test("stored decisions against the candidate: recorded model answers are reused, the stand-in answers for rule-decided tickets, feedback judges both")
    func storedTickets() throws {
        let replay = RuleReplay(
            baseline: try Self.rules(Self.inForce), candidate: try Self.rules(Self.candidate),
            modelStandIn: { _ in "cards" })
        let items: [RuleReplay.Item] = [
            // The model said cards; the candidate's new rule takes it; the agent said fraud: fixed.
            .init(name: "a", ticket: Self.ticket("I lost my card"), recorded: Self.decision("cards", stage: .model, by: "local/linear"), truth: .department("fraud")),
            // A rule of the set in force decided; the candidate lacks it: the stand-in answers; the agent agreed with fraud: broken.
            .init(name: "b", ticket: Self.ticket("stolen wallet"), recorded: Self.decision("fraud", stage: .rule, by: "stolen"), truth: .department("fraud")),
            // The model decided; the candidate has no rule for it: the recorded answer stays.
            .init(name: "c", ticket: Self.ticket("hello", tags: ["vip"]), recorded: Self.decision("general", stage: .model, by: "local/linear"), truth: .notDepartment("general")),
            // Thumbs down without a department on a decision that changes: cannot be told.
            .init(name: "d", ticket: Self.ticket("lost in the post"), recorded: Self.decision("cards", stage: .model, by: "m"), truth: .notDepartment("cards")),
            .init(name: "e", ticket: Self.ticket("nothing"), recorded: Self.decision("general", stage: .default, by: nil)),
        ]
        let report = replay.run(items)
        #expect(report.tickets == 5)
        #expect(report.changes.map(\.item) == [0, 1, 3])
        #expect(report.changes[0].after == .init(department: "fraud", decidedBy: "rule lost", priority: nil))
        #expect(report.changes[1].after.decidedBy == "model stage (local model stands in)")
        #expect(report.changes[1].before.decidedBy == "rule stolen")
        #expect(report.outcomes[2].after.decidedBy == "model stage (recorded: model local/linear)")
        #expect(report.priorityChanges == 0, "annotations do not change a reused recorded decision")
        #expect(report.transitions.map { "\($0.from)→\($0.to)×\($0.changes.count)" } == ["cards→fraud×2", "fraud→cards×1"])
        #expect(report.judged == 4)
        #expect(report.rightBefore == 1)
        #expect(report.rightAfter == 1)
        #expect((report.fixed, report.broken, report.unknownChanges) == (1, 1, 1))
    }

    @Test("a labelled file replays the rules in force and the candidate the same way; without a stand-in the model stage stays undecided")
    func labelledFile() throws {
        let replay = RuleReplay(baseline: try Self.rules(Self.inForce), candidate: try Self.rules(Self.candidate), modelStandIn: nil)
        let report = replay.run([
            .init(name: "#1", ticket: Self.ticket("card lost", tags: ["vip"]), truth: .department("fraud")),
            .init(name: "#2", ticket: Self.ticket("card stolen"), truth: .department("fraud")),
            .init(name: "#3", ticket: Self.ticket("new card", tags: ["vip"]), truth: .department("cards")),
        ])
        #expect(report.outcomes.map(\.before.department) == [nil, "fraud", nil])
        #expect(report.outcomes.map(\.after.department) == ["fraud", nil, nil])
        #expect(report.outcomes[0].after.priority == .urgent, "the candidate's annotations apply")
        #expect(report.priorityChanges == 1, "#3: only the priority changes")
        #expect(report.changes.count == 2)
        #expect((report.rightBefore, report.rightAfter, report.judged) == (1, 1, 2))
    }
}
