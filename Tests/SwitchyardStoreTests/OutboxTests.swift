import Foundation
import SwitchyardCore
import Testing
import SwitchyardStore

@Suite("Outbox: write-back scheduling, retries and dead letters")
struct OutboxTests {
    @Test("due write-backs are claimed only when due, and a claim hides them for the lease", arguments: Engine.allCases)
    func claimRespectsScheduleAndLease(engine: Engine) async throws {
        try await withStore(engine) { store in
            let entry = try await store.decidedWithWriteBack(now: t0)
            #expect(try await store.nextWriteBackDue(in: .every) == t0)

            #expect(try await store.claimDueWriteBacks(in: .every, limit: 10, claim: .deliverer, now: t0 - 1, lease: .seconds(60)).isEmpty)

            let claimed = try await store.claimDueWriteBacks(in: .every, limit: 10, claim: .deliverer, now: t0, lease: .seconds(60))
            #expect(claimed.map(\.id) == [entry.id])
            #expect(claimed.first?.nextAttemptAt == t0 + 60)
            #expect(try await store.nextWriteBackDue(in: .every) == t0 + 60)

            #expect(try await store.claimDueWriteBacks(in: .every, limit: 10, claim: .deliverer, now: t0 + 59, lease: .seconds(60)).isEmpty)
            let reclaimed = try await store.claimDueWriteBacks(in: .every, limit: 10, claim: .deliverer, now: t0 + 60, lease: .seconds(60))
            #expect(reclaimed.map(\.id) == [entry.id], "a deliverer that died leaves it due again after the lease")
        }
    }

    @Test("a decision with several write-back requests (a second call for tags) queues one entry each, in order, with the decision", arguments: Engine.allCases)
    func severalRequestsPerDecision(engine: Engine) async throws {
        try await withStore(engine) { store in
            let id = try await store.acceptAndClaim(1, now: t0)
            var tags = WriteBackRequest.sample()
            tags.url += "/tags"
            try await store.recordDecision(.sample(), for: id, claim: .named("worker-a"), writeBacks: [.sample(), tags], now: t0)
            let claimed = try await store.claimDueWriteBacks(in: .every, limit: 10, claim: .deliverer, now: t0, lease: .seconds(60))
            #expect(claimed.map(\.request.url) == [WriteBackRequest.sample().url, tags.url])
            #expect(Set(claimed.map(\.decisionID)).count == 1, "both belong to the one decision")
        }
    }

    @Test("a dead letter sent again is pending and due now, attempts from zero; anything else cannot be", arguments: Engine.allCases)
    func retryDeadLetter(engine: Engine) async throws {
        try await withStore(engine) { store in
            let entry = try await store.decidedWithWriteBack(now: t0)
            _ = try await store.claimDueWriteBacks(in: .every, limit: 10, claim: .deliverer, now: t0, lease: .seconds(60))
            await #expect(throws: StoreError.writeBackNotDead(entry.id)) { try await store.retryWriteBack(entry.id, now: t0 + 1) }
            try await store.markWriteBackFailed(
                entry.id, claim: .deliverer, error: "HTTP 404: no such group", responseStatus: 404, retryAt: nil, at: t0 + 1)

            let retried = try await store.retryWriteBack(entry.id, now: t0 + 100)
            #expect(retried.status == .pending && retried.attempts == 0)
            #expect(retried.lastError == "HTTP 404: no such group", "the last error stays until the next attempt")
            #expect(try await store.claimDueWriteBacks(in: .every, limit: 10, claim: .deliverer, now: t0 + 100, lease: .seconds(60)).map(\.id) == [entry.id])
            await #expect(throws: StoreError.writeBackNotFound(999)) { try await store.retryWriteBack(999, now: t0) }
        }
    }

    @Test("each adapter's lane claims only its own entries, and the other lane those of every adapter not named", arguments: Engine.allCases)
    func lanesSeparateAdapters(engine: Engine) async throws {
        try await withStore(engine) { store in
            let zendesk = try await store.decidedWithWriteBack(1, now: t0)
            let id = try await store.acceptAndClaim(2, now: t0 + 1)
            var freshdesk = WriteBackRequest.sample("ext-2")
            freshdesk.adapter = "freshdesk"
            try await store.recordDecision(.sample(at: t0 + 1), for: id, claim: .named("worker-a"), writeBacks: [freshdesk], now: t0 + 1)
            let removed = try await store.acceptAndClaim(3, now: t0 + 2)
            var renamed = WriteBackRequest.sample("ext-3")
            renamed.adapter = "zendesk-old"
            try await store.recordDecision(.sample(at: t0 + 2), for: removed, claim: .named("worker-a"), writeBacks: [renamed], now: t0 + 2)

            #expect(try await store.nextWriteBackDue(in: .adapter("freshdesk")) == t0 + 1)
            #expect(try await store.nextWriteBackDue(in: .adapter("helpscout")) == nil)
            #expect(try await store.nextWriteBackDue(in: .otherThan(["zendesk", "freshdesk"])) == t0 + 2)

            let onlyFreshdesk = try await store.claimDueWriteBacks(
                in: .adapter("freshdesk"), limit: 10, claim: .deliverer, now: t0 + 10, lease: .seconds(60))
            #expect(onlyFreshdesk.map(\.request.adapter) == ["freshdesk"], "the zendesk entry, older, is not this lane's")
            let others = try await store.claimDueWriteBacks(
                in: .otherThan(["zendesk", "freshdesk"]), limit: 10, claim: .deliverer, now: t0 + 10, lease: .seconds(60))
            #expect(others.map(\.request.adapter) == ["zendesk-old"])
            let zendeskLane = try await store.claimDueWriteBacks(
                in: .adapter("zendesk"), limit: 10, claim: .deliverer, now: t0 + 10, lease: .seconds(60))
            #expect(zendeskLane.map(\.id) == [zendesk.id])
            #expect(try await store.nextWriteBackDue(in: .adapter("zendesk")) == t0 + 70, "claimed: due again after the lease")
        }
    }

    @Test("due write-backs come oldest first, at most `limit`", arguments: Engine.allCases)
    func claimsOldestFirst(engine: Engine) async throws {
        try await withStore(engine) { store in
            let first = try await store.decidedWithWriteBack(1, now: t0)
            let second = try await store.decidedWithWriteBack(2, now: t0 + 1)
            let batch = try await store.claimDueWriteBacks(in: .every, limit: 1, claim: .deliverer, now: t0 + 10, lease: .seconds(60))
            #expect(batch.map(\.id) == [first.id])
            let next = try await store.claimDueWriteBacks(in: .every, limit: 5, claim: .deliverer, now: t0 + 10, lease: .seconds(60))
            #expect(next.map(\.id) == [second.id])
        }
    }

    @Test("a failed attempt with a retry time goes back to pending and is due again then", arguments: Engine.allCases)
    func failedWithRetryIsPendingLater(engine: Engine) async throws {
        try await withStore(engine) { store in
            let entry = try await store.decidedWithWriteBack(now: t0)
            _ = try await store.claimDueWriteBacks(in: .every, limit: 10, claim: .deliverer, now: t0, lease: .seconds(60))

            try await store.markWriteBackFailed(entry.id, claim: .deliverer, error: "HTTP 503: unavailable", responseStatus: 503, retryAt: t0 + 300, at: t0 + 1)

            let pending = try await store.writeBacks(status: .pending, limit: 10)
            #expect(pending.map(\.id) == [entry.id])
            #expect(pending.first?.attempts == 1)
            #expect(pending.first?.lastError == "HTTP 503: unavailable")
            #expect(pending.first?.lastResponseStatus == 503, "the platform's status is kept with the failure")
            #expect(try await store.nextWriteBackDue(in: .every) == t0 + 300)
            #expect(try await store.claimDueWriteBacks(in: .every, limit: 10, claim: .deliverer, now: t0 + 299, lease: .seconds(60)).isEmpty)
            #expect(try await store.claimDueWriteBacks(in: .every, limit: 10, claim: .deliverer, now: t0 + 300, lease: .seconds(60)).map(\.id) == [entry.id])
        }
    }

    @Test("a failed attempt without a retry time is a dead letter, listed and never claimed", arguments: Engine.allCases)
    func failedWithoutRetryIsDead(engine: Engine) async throws {
        try await withStore(engine) { store in
            let entry = try await store.decidedWithWriteBack(now: t0)
            _ = try await store.claimDueWriteBacks(in: .every, limit: 10, claim: .deliverer, now: t0, lease: .seconds(60))
            try await store.markWriteBackFailed(entry.id, claim: .deliverer, error: "HTTP 404: no such ticket", responseStatus: 404, retryAt: nil, at: t0 + 1)

            let dead = try await store.writeBacks(status: .dead, limit: 10)
            #expect(dead.map(\.id) == [entry.id])
            #expect(dead.first?.status == .dead)
            #expect(dead.first?.attempts == 1)
            #expect(dead.first?.lastError == "HTTP 404: no such ticket")
            #expect(dead.first?.lastResponseStatus == 404)
            #expect(try await store.writeBacks(status: .pending, limit: 10).isEmpty)
            #expect(try await store.nextWriteBackDue(in: .every) == nil)
            #expect(try await store.claimDueWriteBacks(in: .every, limit: 10, claim: .deliverer, now: t0 + 86_400, lease: .seconds(60)).isEmpty)
        }
    }

    @Test("a delivered write-back is listed as delivered, with its response status and time", arguments: Engine.allCases)
    func deliveredIsListed(engine: Engine) async throws {
        try await withStore(engine) { store in
            let older = try await store.decidedWithWriteBack(1, now: t0)
            let newer = try await store.decidedWithWriteBack(2, now: t0 + 1)
            #expect(try await store.claimDueWriteBacks(in: .every, limit: 1, claim: .deliverer, now: t0 + 2, lease: .seconds(60)).map(\.id) == [older.id])
            try await store.markWriteBackDelivered(older.id, claim: .deliverer, responseStatus: 204, at: t0 + 5)

            let delivered = try #require(try await store.writeBacks(status: .delivered, limit: 10).first)
            #expect(delivered.id == older.id)
            #expect(delivered.status == .delivered)
            #expect(delivered.lastResponseStatus == 204)
            #expect(delivered.deliveredAt == t0 + 5)
            #expect(delivered.attempts == 1)
            #expect(try await store.writeBacks(status: nil, limit: 10).map(\.id) == [newer.id, older.id], "newest first")
            #expect(try await store.writeBacks(status: nil, limit: 1).map(\.id) == [newer.id])
            #expect(try await store.claimDueWriteBacks(in: .every, limit: 10, claim: .deliverer, now: t0 + 100, lease: .seconds(60)).map(\.id) == [newer.id])
        }
    }

    @Test("marking an unknown outbox entry is an error", arguments: Engine.allCases)
    func unknownEntryIsAnError(engine: Engine) async throws {
        try await withStore(engine) { store in
            await #expect(throws: StoreError.writeBackNotFound(99)) {
                try await store.markWriteBackDelivered(99, claim: .deliverer, responseStatus: 200, at: t0)
            }
            await #expect(throws: StoreError.writeBackNotFound(99)) {
                try await store.markWriteBackFailed(99, claim: .deliverer, error: "x", responseStatus: nil, retryAt: nil, at: t0)
            }
        }
    }
}
