import Dispatch
import Foundation
import SwitchyardCore
import Testing
@testable import SwitchyardStore

@Suite("Intake: accepting tickets durably and exactly once")
struct IntakeTests {
    @Test("an accepted ticket is stored as queued, with every field intact")
    func acceptStoresQueuedTicket() async throws {
        try await withStore { store in
            let outcome = try await store.accept(.sample(1), idempotencyKey: "key-1", receivedAt: t0)
            #expect(outcome == .accepted(TicketID("tkt_0001")))

            let record = try #require(try await store.ticket(outcome.ticketID))
            #expect(record.ticket == .sample(1))
            #expect(record.idempotencyKey == "key-1")
            #expect(record.status == .queued)
            #expect(record.receivedAt == t0)
            #expect(record.attempts == 0)
            #expect(record.decision == nil)
            #expect(record.writeBacks.isEmpty && record.feedback.isEmpty)
            #expect(try await store.queueDepth() == 1)
        }
    }

    @Test("a ticket without optional fields round-trips with empty text and no requester")
    func minimalTicketRoundTrips() async throws {
        try await withStore { store in
            let minimal = Ticket(externalID: "", source: "generic")
            let id = try await store.accept(minimal, idempotencyKey: "k", receivedAt: t0).ticketID
            #expect(try await store.ticket(id)?.ticket == minimal)
        }
    }

    @Test("the same source and idempotency key is a duplicate of the first ticket; another source is new")
    func duplicatesAreDetectedPerSource() async throws {
        try await withStore { store in
            let first = try await store.accept(.sample(1), idempotencyKey: "key-1", receivedAt: t0)
            let again = try await store.accept(.sample(2), idempotencyKey: "key-1", receivedAt: t0 + 5)
            #expect(again == .duplicate(first.ticketID))
            #expect(try await store.ticket(first.ticketID)?.ticket == .sample(1), "the duplicate overwrote nothing")

            let otherSource = try await store.accept(.sample(1, source: "zendesk"), idempotencyKey: "key-1", receivedAt: t0)
            guard case .accepted(let otherID) = otherSource else {
                Issue.record("expected a new ticket for another source, got \(otherSource)")
                return
            }
            #expect(otherID != first.ticketID)
            #expect(try await store.queueDepth() == 2)
        }
    }

    @Test("accepted tickets survive closing and reopening the file, still queued and still deduplicated")
    func acceptedTicketsSurviveReopen() async throws {
        try await TemporaryStore.withFolder { temporary in
            let identifiers = SequentialIdentifiers()
            let store = try temporary.open(identifiers: identifiers)
            var accepted: [TicketID] = []
            for number in 1...25 {
                accepted.append(try await store.accept(.sample(number), idempotencyKey: "key-\(number)", receivedAt: t0 + Double(number)).ticketID)
            }
            try await store.close()

            let reopened = try temporary.open(identifiers: identifiers)
            #expect(try await reopened.queueDepth() == 25)
            #expect(try await reopened.accept(.sample(7), idempotencyKey: "key-7", receivedAt: t0) == .duplicate(accepted[6]))
            let claimed = try await reopened.claimQueued(limit: 100, worker: "w", now: t0 + 60, lease: .seconds(30))
            #expect(claimed.map(\.id) == accepted, "all of them, once each, oldest first")
            try await reopened.close()
        }
    }

    @Test("a committed ticket is on disk before accept returns: another connection sees it without any close")
    func committedTicketsAreVisibleWithoutClose() async throws {
        try await TemporaryStore.withFolder { temporary in
            let store = try temporary.open()
            let id = try await store.accept(.sample(1), idempotencyKey: "key-1", receivedAt: t0).ticketID

            // Like a process killed right after answering: the first store is never closed.
            let survivor = try temporary.open()
            #expect(try await survivor.ticket(id)?.status == .queued)
            try await survivor.close()
            try await store.close()
        }
    }

    @Test("200 concurrent accepts all succeed and share commits (group commit)")
    func concurrentAcceptsShareCommits() async throws {
        try await withStore { store in
            let before = await store.commitStatistics()
            let outcomes = try await withThrowingTaskGroup(of: IntakeOutcome.self) { group in
                for number in 1...200 {
                    group.addTask { try await store.accept(.sample(number), idempotencyKey: "key-\(number)", receivedAt: t0) }
                }
                return try await group.reduce(into: [IntakeOutcome]()) { $0.append($1) }
            }
            let after = await store.commitStatistics()

            #expect(outcomes.count == 200)
            #expect(outcomes.allSatisfy { if case .accepted = $0 { true } else { false } })
            #expect(Set(outcomes.map(\.ticketID)).count == 200)
            #expect(after.writes - before.writes == 200)
            #expect(after.commits - before.commits < 200, "commits: \(after.commits - before.commits)")
            #expect(try await store.queueDepth() == 200)
        }
    }

    @Test("a failing write in a batch fails alone; the accepts committed with it are kept")
    func failingWriteFailsAloneInItsBatch() async throws {
        try await withStore { store in
            // Hold the writer thread so that the next writes queue up and form one batch.
            let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
            let release = DispatchSemaphore(value: 0)
            async let blocker: Void = store.database.write { _ in
                startedContinuation.yield()
                release.wait()
            }
            for await _ in started { break }
            let before = await store.commitStatistics()

            let missing = TicketID("tkt_missing")
            async let feedbackResult: Result<Void, any Error> = {
                do { return .success(try await store.addFeedback(Feedback(verdict: .up, createdAt: t0), to: missing)) }
                catch { return .failure(error) }
            }()
            async let outcomes = withThrowingTaskGroup(of: IntakeOutcome.self) { group in
                for number in 1...20 {
                    group.addTask { try await store.accept(.sample(number), idempotencyKey: "key-\(number)", receivedAt: t0) }
                }
                return try await group.reduce(into: [IntakeOutcome]()) { $0.append($1) }
            }
            do {
                try await waitUntil { store.database.pendingWrites == 21 }
            } catch {
                release.signal()
                throw error
            }
            release.signal()
            try await blocker

            let accepted = try await outcomes
            let feedback = await feedbackResult
            let after = await store.commitStatistics()

            #expect(throws: StoreError.ticketNotFound(missing)) { try feedback.get() }
            #expect(accepted.count == 20)
            #expect(after.commits - before.commits == 2, "the blocker's commit, then one for the whole batch")
            #expect(after.writes - before.writes == 21, "the blocker and the 20 accepts; not the failed write")
            #expect(try await store.queueDepth() == 20)
        }
    }
}
