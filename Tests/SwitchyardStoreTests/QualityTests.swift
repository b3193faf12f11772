import Foundation
import SwitchyardCore
import SwitchyardStore
import Testing

/// What quality figures are read from, on every engine: the judged decisions of a window with
/// the latest verdict on each, and the decisions' volume by day, stage and department.
@Suite struct QualityTests {
    @Test("judged decisions: the latest verdict on each, newest decision first, only those decided in the window", arguments: Engine.allCases)
    func judgedDecisions(engine: Engine) async throws {
        try await withStore(engine) { store in
            var ids: [TicketID] = []
            for number in 1...4 {
                let id = try await store.acceptAndClaim(number, worker: "w\(number)", now: t0 + Double(number))
                var decision = Decision.sample(at: t0 + Double(number) * 100)
                if number == 3 { decision.provenance.stage = .rule }
                try await store.recordDecision(decision, for: id, claim: .named("w\(number)"), writeBacks: [], now: t0)
                ids.append(id)
            }
            // 1: up. 2: up, then down naming fees_fx (the later counts). 3: down, no department.
            // 4: no feedback.
            try await store.addFeedback(Feedback(verdict: .up, createdAt: t0 + 500), to: ids[0], decision: nil)
            try await store.addFeedback(Feedback(verdict: .up, createdAt: t0 + 501), to: ids[1], decision: nil)
            try await store.addFeedback(Feedback(verdict: .down, department: "fees_fx", createdAt: t0 + 502), to: ids[1], decision: nil)
            try await store.addFeedback(Feedback(verdict: .down, createdAt: t0 + 503), to: ids[2], decision: nil)

            let judged = try await store.judgedDecisions(decidedSince: t0, limit: 10)
            #expect(judged.map(\.ticketID) == [ids[2], ids[1], ids[0]])
            #expect(judged.map(\.verdict) == [.down, .down, .up])
            #expect(judged.map(\.correctDepartment) == [nil, "fees_fx", nil])
            #expect(judged.map(\.stage) == [.rule, .model, .model])
            #expect(judged.map(\.department) == ["cards", "cards", "cards"])
            #expect(judged.map(\.decidedAt) == [t0 + 300, t0 + 200, t0 + 100])
            #expect(judged.map(\.judgedAt) == [t0 + 503, t0 + 502, t0 + 500])
            #expect(judged.allSatisfy { $0.confidence == 0.92 })
            #expect(try await store.judgedDecisions(decidedSince: t0 + 150, limit: 10).map(\.ticketID) == [ids[2], ids[1]])
            #expect(try await store.judgedDecisions(decidedSince: t0, limit: 1).map(\.ticketID) == [ids[2]])
            #expect(try await store.judgedDecisions(decidedSince: t0, limit: 0).isEmpty)

            // A new decision of ticket 1 has no verdict yet: the old one keeps its own.
            var changed = Ticket.sample(1)
            changed.body = "My card was declined again, a third time."
            #expect(try await store.revise(changed, retriage: false, receivedAt: t0 + 600) == .requeued(ids[0]))
            let retaken = try await store.claimQueued(limit: 5, claim: .named("again"), now: t0 + 601, lease: .seconds(60))
            #expect(retaken.map(\.id) == [ids[0]])
            try await store.recordDecision(.sample(at: t0 + 700), for: ids[0], claim: .named("again"), writeBacks: [], now: t0 + 700)
            let after = try await store.judgedDecisions(decidedSince: t0, limit: 10)
            #expect(after.count == 3 && after.last?.ticketID == ids[0] && after.last?.decidedAt == t0 + 100)
        }
    }

    @Test("decision volume by UTC day, stage and department, earliest day first", arguments: Engine.allCases)
    func decisionVolume(engine: Engine) async throws {
        try await withStore(engine) { store in
            // t0 is 2025-06-15T15:06:40Z; + 12 h is the next UTC day.
            let times: [(TimeInterval, Stage, DepartmentID)] = [
                (0, .model, "cards"), (60, .model, "cards"), (120, .rule, "fraud_security"), (43_200, .model, "cards"),
                (43_260, .default, "account_management"),
            ]
            for (index, (offset, stage, department)) in times.enumerated() {
                let number = index + 1
                let id = try await store.acceptAndClaim(number, worker: "w\(number)", now: t0 + offset)
                var decision = Decision.sample(at: t0 + offset)
                decision.department = department
                decision.provenance.stage = stage
                try await store.recordDecision(decision, for: id, claim: .named("w\(number)"), writeBacks: [], now: t0 + offset)
            }
            let volume = try await store.decisionVolume(decidedSince: t0)
            #expect(
                volume == [
                    DecisionVolume(day: "2025-06-15", stage: .model, department: "cards", count: 2),
                    DecisionVolume(day: "2025-06-15", stage: .rule, department: "fraud_security", count: 1),
                    DecisionVolume(day: "2025-06-16", stage: .default, department: "account_management", count: 1),
                    DecisionVolume(day: "2025-06-16", stage: .model, department: "cards", count: 1),
                ])
            #expect(try await store.decisionVolume(decidedSince: t0 + 100).map(\.count) == [1, 1, 1])
            #expect(try await store.decisionVolume(decidedSince: t0 + 100_000).isEmpty)
        }
    }
}
