import Foundation
import SwitchyardCore
import Testing
import SwitchyardStore

@Suite("Claims, leases and decisions")
struct ClaimTests {
    @Test("a claim hides the ticket until its lease expires; then another worker takes it over", arguments: Engine.allCases)
    func leaseHidesTicketUntilExpiry(engine: Engine) async throws {
        try await withStore(engine) { store in
            let id = try await store.accept(.sample(1), idempotencyKey: "key-1", receivedAt: t0).ticketID

            let first = try await store.claimQueued(limit: 10, claim: .named("worker-a"), now: t0, lease: .seconds(30))
            #expect(first == [QueuedTicket(id: id, ticket: .sample(1), receivedAt: t0, attempts: 1)])
            #expect(try await store.ticket(id)?.status == .claimed)

            let during = try await store.claimQueued(limit: 10, claim: .named("worker-b"), now: t0 + 29.999, lease: .seconds(30))
            #expect(during.isEmpty)

            let after = try await store.claimQueued(limit: 10, claim: .named("worker-b"), now: t0 + 30, lease: .seconds(30))
            #expect(after.map(\.id) == [id])
            #expect(after.first?.attempts == 2)
        }
    }

    @Test("deferred tickets wait behind the others until due, fill an idle claim earliest due first, and are deferred no more once claimed", arguments: Engine.allCases)
    func deferredTicketsWait(engine: Engine) async throws {
        try await withStore(engine) { store in
            func accept(_ number: Int, at received: Date, deferredUntil: Date? = nil) async throws -> TicketID {
                try await store.accept(.sample(number), idempotencyKey: "key-\(number)", receivedAt: received, deferredUntil: deferredUntil)
                    .ticketID
            }
            let late = try await accept(1, at: t0 - 10, deferredUntil: t0 + 600)  // the oldest, but deferred
            let a = try await accept(2, at: t0)
            let c = try await accept(3, at: t0 + 1)
            #expect(try await store.queueDepth() == 3)
            let busy = try await store.claimQueued(limit: 5, claim: .named("w1"), now: t0 + 2, lease: .seconds(30), includingDeferred: false)
            #expect(busy.map(\.id) == [a, c], "a busy pipeline leaves deferred tickets alone")

            let d = try await accept(4, at: t0 + 3, deferredUntil: t0 + 100)
            let e = try await accept(5, at: t0 + 4, deferredUntil: t0 + 50)
            let idle = try await store.claimQueued(limit: 2, claim: .named("w2"), now: t0 + 5, lease: .seconds(30), includingDeferred: true)
            #expect(idle.map(\.id) == [e, d], "an idle one takes them, earliest due first")
            #expect(try await store.queueDepth() == 5, "deferred tickets count in the queue")

            // e's lease expires before it was due: claimed again like any other (it is no longer deferred).
            let expired = try await store.claimQueued(limit: 5, claim: .named("w3"), now: t0 + 40, lease: .seconds(600), includingDeferred: false)
            #expect(Set(expired.map(\.id)) == [a, c, e, d])
            #expect(try await store.claimQueued(limit: 5, claim: .named("w4"), now: t0 + 599, lease: .seconds(30), includingDeferred: false).isEmpty)
            let due = try await store.claimQueued(limit: 5, claim: .named("w4"), now: t0 + 600, lease: .seconds(30), includingDeferred: false)
            #expect(due.map(\.id) == [late], "due: claimed without waiting for an idle pipeline")
        }
    }

    @Test("a batch claim takes only tickets still deferred, earliest due first, for its own lease; once claimed they are deferred no more", arguments: Engine.allCases)
    func batchClaimTakesDeferredTickets(engine: Engine) async throws {
        try await withStore(engine) { store in
            func accept(_ number: Int, at received: Date, deferredUntil: Date? = nil) async throws -> TicketID {
                try await store.accept(.sample(number), idempotencyKey: "key-\(number)", receivedAt: received, deferredUntil: deferredUntil)
                    .ticketID
            }
            let normal = try await accept(1, at: t0)
            let later = try await accept(2, at: t0 + 1, deferredUntil: t0 + 900)
            let sooner = try await accept(3, at: t0 + 2, deferredUntil: t0 + 300)
            let due = try await accept(4, at: t0 + 3, deferredUntil: t0 + 5)
            let batch = try await store.claimDeferred(limit: 5, claim: .named("batch"), now: t0 + 10, lease: .seconds(1000))
            #expect(batch.map(\.id) == [sooner, later], "neither the normal ticket nor the one already due")
            #expect(batch.allSatisfy { $0.attempts == 1 })
            #expect(try await store.claimDeferred(limit: 5, claim: .named("batch"), now: t0 + 10, lease: .seconds(1000)).isEmpty)
            let others = try await store.claimQueued(limit: 5, claim: .named("w"), now: t0 + 10, lease: .seconds(30), includingDeferred: true)
            #expect(others.map(\.id) == [normal, due])
            #expect(try await store.claimDeferred(limit: 0, claim: .named("batch"), now: t0 + 10, lease: .seconds(1000)).isEmpty)
            // The batch claim's lease holds well past the normal one's.
            let expired = try await store.claimQueued(limit: 5, claim: .named("w"), now: t0 + 999, lease: .seconds(30))
            #expect(expired.map(\.id) == [normal, due], "only the normal claims have expired")
            let retaken = try await store.claimQueued(limit: 5, claim: .named("w"), now: t0 + 1010, lease: .seconds(30), includingDeferred: false)
            #expect(retaken.map(\.id) == [later, sooner], "expired, they are claimed like any other, in arrival order")
        }
    }

    @Test("a ticket given back with its due time is deferred again: for the next batch claim, not a normal one", arguments: Engine.allCases)
    func releaseCanDeferAgain(engine: Engine) async throws {
        try await withStore(engine) { store in
            let id = try await store.accept(.sample(1), idempotencyKey: "key-1", receivedAt: t0, deferredUntil: t0 + 600).ticketID
            let claimed = try await store.claimDeferred(limit: 1, claim: .named("batch"), now: t0 + 1, lease: .seconds(1000))
            #expect(claimed.map(\.id) == [id])
            try await store.release(id, claim: .named("batch"), deferredUntil: t0 + 600)
            #expect(try await store.claimQueued(limit: 5, claim: .named("w"), now: t0 + 2, lease: .seconds(30), includingDeferred: false).isEmpty)
            let again = try await store.claimDeferred(limit: 1, claim: .named("batch-2"), now: t0 + 2, lease: .seconds(1000))
            #expect(again.map(\.id) == [id] && again.first?.attempts == 2)
            try await store.release(id, claim: .named("batch-2"), deferredUntil: t0 + 600)
            let due = try await store.claimQueued(limit: 5, claim: .named("w"), now: t0 + 601, lease: .seconds(30), includingDeferred: false)
            #expect(due.map(\.id) == [id], "once due, a normal claim takes it")
            #expect(try await store.queueDepth() == 1)
        }
    }

    @Test("a due deferred ticket is claimed in arrival order among the others", arguments: Engine.allCases)
    func dueDeferredTicketsTakeTheirTurn(engine: Engine) async throws {
        try await withStore(engine) { store in
            let first = try await store.accept(.sample(1), idempotencyKey: "key-1", receivedAt: t0).ticketID
            let deferred = try await store.accept(.sample(2), idempotencyKey: "key-2", receivedAt: t0 + 1, deferredUntil: t0 + 10).ticketID
            let last = try await store.accept(.sample(3), idempotencyKey: "key-3", receivedAt: t0 + 2).ticketID
            let claimed = try await store.claimQueued(limit: 3, claim: .named("w"), now: t0 + 10, lease: .seconds(30), includingDeferred: false)
            #expect(claimed.map(\.id) == [first, deferred, last])
        }
    }

    @Test("a worker whose claim was taken over gets leaseLost and writes nothing", arguments: Engine.allCases)
    func lostLeaseWritesNothing(engine: Engine) async throws {
        try await withStore(engine) { store in
            let id = try await store.acceptAndClaim(1, worker: "worker-a")
            _ = try await store.claimQueued(limit: 1, claim: .named("worker-b"), now: t0 + 31, lease: .seconds(30))

            await #expect(throws: StoreError.leaseLost(id, claim: "worker-a")) {
                try await store.recordDecision(.sample(), for: id, claim: .named("worker-a"), writeBacks: [.sample()], now: t0 + 32)
            }
            let record = try #require(try await store.ticket(id))
            #expect(record.status == .claimed)
            #expect(record.decision == nil)
            #expect(record.writeBacks.isEmpty)
            #expect(try await store.writeBacks(status: nil, limit: 10).isEmpty)

            try await store.recordDecision(.sample(), for: id, claim: .named("worker-b"), writeBacks: [], now: t0 + 33)
            #expect(try await store.ticket(id)?.status == .decided)
        }
    }

    @Test("recording a decision needs a claim: unknown tickets and unclaimed ones are refused", arguments: Engine.allCases)
    func recordDecisionNeedsAClaim(engine: Engine) async throws {
        try await withStore(engine) { store in
            let unknown = TicketID("tkt_unknown")
            await #expect(throws: StoreError.ticketNotFound(unknown)) {
                try await store.recordDecision(.sample(), for: unknown, claim: .named("worker-a"), writeBacks: [], now: t0)
            }
            let queued = try await store.accept(.sample(1), idempotencyKey: "key-1", receivedAt: t0).ticketID
            await #expect(throws: StoreError.leaseLost(queued, claim: "worker-a")) {
                try await store.recordDecision(.sample(), for: queued, claim: .named("worker-a"), writeBacks: [], now: t0)
            }
        }
    }

    @Test("release gives the ticket back to the queue, but only when the releasing worker holds it", arguments: Engine.allCases)
    func releaseReturnsTicketToQueue(engine: Engine) async throws {
        try await withStore(engine) { store in
            let id = try await store.acceptAndClaim(1, worker: "worker-a")

            try await store.release(id, claim: .named("worker-b"))
            #expect(try await store.claimQueued(limit: 1, claim: .named("worker-c"), now: t0 + 1, lease: .seconds(30)).isEmpty)

            try await store.release(id, claim: .named("worker-a"))
            #expect(try await store.ticket(id)?.status == .queued)
            let reclaimed = try await store.claimQueued(limit: 1, claim: .named("worker-c"), now: t0 + 1, lease: .seconds(30))
            #expect(reclaimed.map(\.id) == [id])
        }
    }

    @Test("claims take the oldest tickets first, at most `limit`", arguments: Engine.allCases)
    func claimsOldestFirst(engine: Engine) async throws {
        try await withStore(engine) { store in
            let newest = try await store.accept(.sample(1), idempotencyKey: "key-1", receivedAt: t0 + 2).ticketID
            let oldest = try await store.accept(.sample(2), idempotencyKey: "key-2", receivedAt: t0).ticketID
            let middle = try await store.accept(.sample(3), idempotencyKey: "key-3", receivedAt: t0 + 1).ticketID

            let first = try await store.claimQueued(limit: 2, claim: .named("w"), now: t0 + 10, lease: .seconds(30))
            #expect(first.map(\.id) == [oldest, middle])
            let rest = try await store.claimQueued(limit: 2, claim: .named("w"), now: t0 + 10, lease: .seconds(30))
            #expect(rest.map(\.id) == [newest])
        }
    }

    @Test("a ticket whose lease expired is retaken in age order among the queued ones", arguments: Engine.allCases)
    func expiredClaimsKeepTheirPlace(engine: Engine) async throws {
        try await withStore(engine) { store in
            let abandoned = try await store.acceptAndClaim(1, worker: "crashed", now: t0)
            let queued = try await store.accept(.sample(2), idempotencyKey: "key-2", receivedAt: t0 + 1).ticketID

            let beforeExpiry = try await store.claimQueued(limit: 5, claim: .named("w"), now: t0 + 10, lease: .seconds(30))
            #expect(beforeExpiry.map(\.id) == [queued])
            try await store.release(queued, claim: .named("w"))

            let afterExpiry = try await store.claimQueued(limit: 5, claim: .named("w"), now: t0 + 30, lease: .seconds(30))
            #expect(afterExpiry.map(\.id) == [abandoned, queued])
            #expect(afterExpiry.map(\.attempts) == [2, 2])
        }
    }

    @Test("a decision is stored with its write-back atomically; the record shows decision, write-backs and feedback", arguments: Engine.allCases)
    func decisionRecordShowsEverything(engine: Engine) async throws {
        try await withStore(engine) { store in
            let id = try await store.acceptAndClaim(1)
            _ = try await store.accept(.sample(2), idempotencyKey: "key-2", receivedAt: t0)
            _ = try await store.accept(.sample(3), idempotencyKey: "key-3", receivedAt: t0)
            #expect(try await store.queueDepth() == 3, "queued and claimed both count")

            let decidedAt = t0 + 2
            try await store.recordDecision(.sample(at: decidedAt), for: id, claim: .named("worker-a"), writeBacks: [.sample()], now: t0 + 3)
            #expect(try await store.queueDepth() == 2)

            let thumbsDown = Feedback(verdict: .down, department: "billing", agent: "agent-7", createdAt: t0 + 60)
            let thumbsUp = Feedback(verdict: .up, createdAt: t0 + 90)
            let judged = try await store.addFeedback(thumbsDown, to: id, decision: nil)
            try await store.addFeedback(thumbsUp, to: id, decision: judged)

            let record = try #require(try await store.ticket(id))
            #expect(record.status == .decided)
            #expect(record.decision == .sample(at: decidedAt))
            #expect(record.decisions.map(\.id) == [judged], "feedback names the current decision")
            #expect(record.feedback == [
                RecordedFeedback(decisionID: judged, feedback: thumbsDown), RecordedFeedback(decisionID: judged, feedback: thumbsUp),
            ])
            let entry = try #require(record.writeBacks.first)
            #expect(record.writeBacks.count == 1)
            #expect(entry.ticketID == id)
            #expect(entry.request == .sample())
            #expect(entry.status == .pending)
            #expect(entry.attempts == 0)
            #expect(entry.nextAttemptAt == t0 + 3)
            #expect(entry.createdAt == t0 + 3)
            #expect(entry.lastError == nil && entry.lastResponseStatus == nil && entry.deliveredAt == nil)

            #expect(try await store.claimQueued(limit: 10, claim: .named("w"), now: t0 + 1000, lease: .seconds(30)).count == 2,
                    "the decided ticket is never claimed again")
        }
    }

    @Test("feedback for a ticket that does not exist is refused", arguments: Engine.allCases)
    func feedbackNeedsATicket(engine: Engine) async throws {
        try await withStore(engine) { store throws in
            let missing = TicketID("tkt_missing")
            await #expect(throws: StoreError.ticketNotFound(missing)) {
                try await store.addFeedback(Feedback(verdict: .up, createdAt: t0), to: missing, decision: nil)
            }
            #expect(try await store.ticket(missing) == nil)
        }
    }
}
