import Foundation
import SwitchyardCore
import SwitchyardStore
import Testing

/// The tickets agents confirmed, which the model stage shows a language model as examples, on
/// every engine: the latest feedback on each ticket decides, a thumbs down confirms only the
/// department it names, purged tickets are gone.
@Suite struct ConfirmedExampleTests {
    @Test("latest feedback per ticket, newest first: up confirms the decision, down the named department", arguments: Engine.allCases)
    func confirmedExamples(engine: Engine) async throws {
        try await withStore(engine) { store in
            var ids: [TicketID] = []
            for number in 1...5 {
                let id = try await store.acceptAndClaim(number, worker: "w\(number)", now: t0 + Double(number))
                try await store.recordDecision(.sample(at: t0 + Double(number)), for: id, claim: .named("w\(number)"), writeBacks: [], now: t0)
                ids.append(id)
            }
            // 1: up (cards). 2: down, corrected to fees_fx. 3: down without a department.
            // 4: up, then down to transfers (the later one counts). 5: no feedback.
            try await store.addFeedback(Feedback(verdict: .up, createdAt: t0 + 10), to: ids[0], decision: nil)
            try await store.addFeedback(Feedback(verdict: .down, department: "fees_fx", createdAt: t0 + 11), to: ids[1], decision: nil)
            try await store.addFeedback(Feedback(verdict: .down, createdAt: t0 + 12), to: ids[2], decision: nil)
            try await store.addFeedback(Feedback(verdict: .up, createdAt: t0 + 13), to: ids[3], decision: nil)
            try await store.addFeedback(Feedback(verdict: .down, department: "transfers", createdAt: t0 + 14), to: ids[3], decision: nil)

            let examples = try await store.confirmedExamples(limit: 10)
            #expect(examples.map(\.ticketID) == [ids[3], ids[1], ids[0]])
            #expect(examples.map(\.department) == ["transfers", "fees_fx", "cards"])
            #expect(examples.map(\.confirmedAt) == [t0 + 14, t0 + 11, t0 + 10])
            let sample = Ticket.sample(1)
            #expect(examples.last?.subject == sample.subject)
            #expect(examples.last?.requesterName == sample.requester?.name)
            #expect(examples.last?.body == sample.body.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}"))
            #expect(try await store.confirmedExamples(limit: 2).map(\.ticketID) == [ids[3], ids[1]])
            #expect(try await store.confirmedExamples(limit: 0).isEmpty)

            // A thumbs down without a department after an up withdraws the confirmation.
            try await store.addFeedback(Feedback(verdict: .down, createdAt: t0 + 15), to: ids[0], decision: nil)
            #expect(try await store.confirmedExamples(limit: 10).map(\.ticketID) == [ids[3], ids[1]])

            // Retention purges the text: nothing left to show.
            #expect(try await store.purgePersonalData(receivedBefore: t0 + 100, now: t0 + 100) == 5)
            #expect(try await store.confirmedExamples(limit: 10).isEmpty)
        }
    }
}
