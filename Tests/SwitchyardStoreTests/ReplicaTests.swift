import Foundation
import SwitchyardCore
import SwitchyardStore
import Testing

/// Instances, decision history, claim tokens and shared chores: what replicas sharing one
/// store rely on, on every engine.
@Suite("Replicas: instances, hand-over, decision history, claim tokens, job leases, retention")
struct ReplicaTests {
    static func instance(_ name: String, at date: Date = t0) -> StoreInstance {
        StoreInstance(id: name, host: "host-\(name)", processID: 4242, startedAt: date)
    }

    @Test("a dead instance's ticket and write-back claims are handed back at the next heartbeat after its timeout", arguments: Engine.allCases)
    func staleInstancesAreTakenOver(engine: Engine) async throws {
        try await withStore(engine) { store in
            let alive = Self.instance("alive"), dead = Self.instance("dead")
            _ = try await store.register(alive, now: t0, staleBefore: t0 - 10)
            _ = try await store.register(dead, now: t0, staleBefore: t0 - 10)
            let ticket = try await store.accept(.sample(1), idempotencyKey: "key-1", receivedAt: t0).ticketID
            let held = Claim(instance: dead.id, token: "dead/1")
            #expect(try await store.claimQueued(limit: 5, claim: held, now: t0, lease: .seconds(60)).map(\.id) == [ticket])

            // Within the timeout nothing is handed over, even for a silent instance.
            let early = try await store.heartbeat(alive, now: t0 + 5, staleBefore: t0 + 5 - 10)
            #expect(early == HandOver())
            #expect(try await store.claimQueued(limit: 5, claim: .named("x"), now: t0 + 5, lease: .seconds(60)).isEmpty)

            let handOver = try await store.heartbeat(alive, now: t0 + 11, staleBefore: t0 + 11 - 10)
            #expect(handOver == HandOver(instances: [dead.id], tickets: 1, writeBacks: 0))
            let taken = Claim(instance: alive.id, token: "alive/1")
            let retaken = try await store.claimQueued(limit: 5, claim: taken, now: t0 + 11, lease: .seconds(60))
            #expect(retaken.map(\.id) == [ticket], "taken over long before the 60 s lease")
            #expect(retaken.first?.attempts == 2)
            await #expect(throws: StoreError.leaseLost(ticket, claim: held.token)) {
                try await store.recordDecision(.sample(), for: ticket, claim: held, writeBacks: [], now: t0 + 12)
            }
            let status = try await store.status(now: t0 + 11, staleBefore: t0 + 1)
            #expect(status.liveInstances.map(\.id) == [alive.id])
            #expect(status.writable)
            #expect(status.pendingMigrations.isEmpty)
        }
    }

    @Test("a write-back claimed by an instance that retires is due again at once, and its old claim cannot mark it", arguments: Engine.allCases)
    func retiredInstanceReleasesWriteBacks(engine: Engine) async throws {
        try await withStore(engine) { store in
            let leaving = Self.instance("leaving"), staying = Self.instance("staying")
            _ = try await store.register(leaving, now: t0, staleBefore: t0 - 10)
            _ = try await store.register(staying, now: t0, staleBefore: t0 - 10)
            let entry = try await store.decidedWithWriteBack(now: t0)
            let old = Claim(instance: leaving.id, token: "leaving/outbox/1")
            #expect(try await store.claimDueWriteBacks(in: .every, limit: 5, claim: old, now: t0, lease: .seconds(600)).map(\.id) == [entry.id])

            try await store.retire(leaving, now: t0 + 1)
            let new = Claim(instance: staying.id, token: "staying/outbox/1")
            let reclaimed = try await store.claimDueWriteBacks(in: .every, limit: 5, claim: new, now: t0 + 1, lease: .seconds(60))
            #expect(reclaimed.map(\.id) == [entry.id], "not after the 600 s lease")
            #expect(reclaimed.first?.claimToken == new.token)
            await #expect(throws: StoreError.writeBackClaimLost(entry.id, claim: old.token)) {
                try await store.markWriteBackDelivered(entry.id, claim: old, responseStatus: 200, at: t0 + 2)
            }
            try await store.markWriteBackDelivered(entry.id, claim: new, responseStatus: 200, at: t0 + 2)
            await #expect(throws: StoreError.writeBackClaimLost(entry.id, claim: new.token), "delivered once, marked once") {
                try await store.markWriteBackFailed(entry.id, claim: new, error: "late", responseStatus: nil, retryAt: nil, at: t0 + 3)
            }
            #expect(try await store.writeBacks(status: .delivered, limit: 5).map(\.id) == [entry.id])
        }
    }

    @Test("concurrent claimers never share a ticket: 60 tickets, 6 claimers, each ticket claimed once", arguments: Engine.allCases)
    func concurrentClaimsAreExclusive(engine: Engine) async throws {
        try await withStore(engine) { store in
            for number in 1...60 {
                _ = try await store.accept(.sample(number), idempotencyKey: "key-\(number)", receivedAt: t0 + Double(number))
            }
            let claimed = try await withThrowingTaskGroup(of: [TicketID].self) { group in
                for claimer in 1...6 {
                    group.addTask {
                        var mine: [TicketID] = []
                        for round in 1...20 {
                            let batch = try await store.claimQueued(
                                limit: 3, claim: .named("c\(claimer)/\(round)"), now: t0 + 100, lease: .seconds(60))
                            mine += batch.map(\.id)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: [TicketID]()) { $0 += $1 }
            }
            #expect(claimed.count == 60)
            #expect(Set(claimed).count == 60)
        }
    }

    @Test("decisions are history entries with ids: a refused decision adds none, write-backs and feedback name theirs, unknown ids are refused", arguments: Engine.allCases)
    func decisionsAreHistory(engine: Engine) async throws {
        try await withStore(engine) { store in
            let id = try await store.acceptAndClaim(1, worker: "first")
            var first = Decision.sample(at: t0 + 1)
            first.department = "cards"
            first.provenance.modelVersion = "model-v1"
            let firstID = try await store.recordDecision(first, for: id, claim: .named("first"), writeBacks: [.sample()], now: t0 + 1)
            try await store.addFeedback(Feedback(verdict: .down, department: "fees_fx", createdAt: t0 + 2), to: id, decision: nil)

            try await store.release(id, claim: .named("first"))  // a no-op: a decided ticket is held by no claim
            #expect(try await store.ticket(id)?.status == .decided)
            await #expect(throws: StoreError.leaseLost(id, claim: "first")) {
                try await store.recordDecision(first, for: id, claim: .named("first"), writeBacks: [], now: t0 + 3)
            }
            #expect(try await store.ticket(id)?.decisions.count == 1, "a refused decision adds nothing")

            await #expect(throws: StoreError.decisionNotFound(firstID + 1000, ticket: id)) {
                try await store.addFeedback(Feedback(verdict: .up, createdAt: t0), to: id, decision: firstID + 1000)
            }
            let record = try #require(try await store.ticket(id))
            #expect(record.decisions == [RecordedDecision(id: firstID, decision: first)])
            #expect(record.decision?.provenance.modelVersion == "model-v1")
            #expect(record.writeBacks.map(\.decisionID) == [firstID])
            #expect(record.feedback.map(\.decisionID) == [firstID])
        }
    }

    @Test("feedback on a ticket not decided yet is refused with decisionNotFound", arguments: Engine.allCases)
    func feedbackNeedsADecision(engine: Engine) async throws {
        try await withStore(engine) { store in
            let id = try await store.accept(.sample(1), idempotencyKey: "key-1", receivedAt: t0).ticketID
            await #expect(throws: StoreError.decisionNotFound(nil, ticket: id)) {
                try await store.addFeedback(Feedback(verdict: .up, createdAt: t0), to: id, decision: nil)
            }
        }
    }

    @Test("a job lease has one holder until it expires or its holder renews or gives it up", arguments: Engine.allCases)
    func jobLeasesAreExclusive(engine: Engine) async throws {
        try await withStore(engine) { store throws in
            #expect(try await store.acquireJobLease("train", owner: "a", now: t0, duration: .seconds(60)))
            #expect(try await !store.acquireJobLease("train", owner: "b", now: t0 + 59, duration: .seconds(60)))
            #expect(try await store.acquireJobLease("train", owner: "a", now: t0 + 30, duration: .seconds(60)), "renewed")
            #expect(try await !store.acquireJobLease("train", owner: "b", now: t0 + 60, duration: .seconds(60)))
            #expect(try await store.acquireJobLease("retention", owner: "b", now: t0, duration: .seconds(60)), "another job")
            #expect(try await store.acquireJobLease("train", owner: "a", now: t0 + 31, duration: .zero), "given up")
            #expect(try await store.acquireJobLease("train", owner: "b", now: t0 + 31, duration: .seconds(60)))
        }
    }

    @Test("retention removes text and requester of decided tickets older than the cutoff; decisions and feedback stay", arguments: Engine.allCases)
    func retentionPurgesPersonalData(engine: Engine) async throws {
        try await withStore(engine) { store in
            let old = try await store.acceptAndClaim(1, worker: "w", now: t0)
            try await store.recordDecision(.sample(at: t0), for: old, claim: .named("w"), writeBacks: [], now: t0)
            try await store.addFeedback(Feedback(verdict: .up, createdAt: t0), to: old, decision: nil)
            let recent = try await store.acceptAndClaim(3, worker: "w3", now: t0 + 100)
            try await store.recordDecision(.sample(at: t0 + 100), for: recent, claim: .named("w3"), writeBacks: [], now: t0 + 100)
            let undecided = try await store.accept(.sample(2), idempotencyKey: "key-2", receivedAt: t0).ticketID

            #expect(try await store.purgePersonalData(receivedBefore: t0 + 50, now: t0 + 200) == 1)
            #expect(try await store.purgePersonalData(receivedBefore: t0 + 50, now: t0 + 300) == 0, "once")

            let purged = try #require(try await store.ticket(old))
            #expect(purged.ticket.subject.isEmpty && purged.ticket.body.isEmpty && purged.ticket.originalBody == nil)
            #expect(purged.ticket.requester == nil)
            #expect(purged.ticket.customFields.isEmpty)
            #expect(purged.ticket.tags == Ticket.sample(1).tags, "tags are not personal text")
            #expect(purged.purgedAt == t0 + 200)
            #expect(purged.decision == .sample(at: t0))
            #expect(purged.feedback.count == 1)
            #expect(try await store.ticket(undecided)?.ticket == .sample(2), "a ticket still to be decided keeps its text")
            #expect(try await store.ticket(recent)?.ticket == .sample(3))
        }
    }

    @Test("decided tickets are listed by the time they were received, from a moment on, oldest first, up to a limit", arguments: Engine.allCases)
    func decidedTicketsSince(engine: Engine) async throws {
        try await withStore(engine) { store in
            var decided: [TicketID] = []
            for number in 1...4 {
                let id = try await store.acceptAndClaim(number, worker: "w\(number)", now: t0 + Double(number * 10))
                try await store.recordDecision(.sample(), for: id, claim: .named("w\(number)"), writeBacks: [], now: t0 + 50)
                decided.append(id)
            }
            _ = try await store.accept(.sample(5), idempotencyKey: "key-5", receivedAt: t0 + 60)
            #expect(try await store.decidedTicketIDs(receivedSince: t0, limit: 100) == decided, "the undecided one is not listed")
            #expect(try await store.decidedTicketIDs(receivedSince: t0 + 20, limit: 100) == Array(decided[1...]), "from the moment on")
            #expect(try await store.decidedTicketIDs(receivedSince: t0, limit: 2) == Array(decided[..<2]))
            #expect(try await store.decidedTicketIDs(receivedSince: t0 + 100, limit: 10).isEmpty)
        }
    }

    @Test("rule statistics: decisions each rule made or annotated, the last one, and agents' verdicts on them", arguments: Engine.allCases)
    func ruleStatistics(engine: Engine) async throws {
        try await withStore(engine) { store in
            func decide(_ number: Int, stage: Stage, by rule: String?, annotatedBy: [String] = [], at date: Date) async throws -> TicketID {
                let id = try await store.acceptAndClaim(number, worker: "w\(number)", now: date)
                let decision = Decision(
                    department: "cards", confidence: 1,
                    provenance: Provenance(stage: stage, decidedBy: rule, annotatedBy: annotatedBy, rulesetVersion: "v"),
                    decidedAt: date)
                try await store.recordDecision(decision, for: id, claim: .named("w\(number)"), writeBacks: [], now: date)
                return id
            }
            let first = try await decide(1, stage: .rule, by: "lost-card", annotatedBy: ["vip"], at: t0)
            let second = try await decide(2, stage: .rule, by: "lost-card", at: t0 + 60)
            _ = try await decide(3, stage: .fallbackRule, by: "fallback-atm", annotatedBy: ["vip", "order"], at: t0 + 30)
            let model = try await decide(4, stage: .model, by: "local/linear", at: t0 + 90)
            try await store.addFeedback(Feedback(verdict: .up, createdAt: t0), to: first, decision: nil)
            try await store.addFeedback(Feedback(verdict: .down, department: "fraud_security", createdAt: t0), to: second, decision: nil)
            try await store.addFeedback(Feedback(verdict: .up, createdAt: t0), to: second, decision: nil)
            try await store.addFeedback(Feedback(verdict: .down, createdAt: t0), to: model, decision: nil)

            let statistics = try await store.ruleStatistics()
            #expect(Set(statistics.keys) == ["lost-card", "fallback-atm", "vip", "order"], "a model's decision is no rule's")
            #expect(statistics["lost-card"] == RuleStatistics(ruleID: "lost-card", hits: 2, lastHit: t0 + 60, up: 2, down: 1))
            #expect(statistics["fallback-atm"] == RuleStatistics(ruleID: "fallback-atm", hits: 1, lastHit: t0 + 30))
            #expect(statistics["vip"] == RuleStatistics(ruleID: "vip", hits: 2, lastHit: t0 + 30))
            #expect(statistics["order"]?.hits == 1)
            #expect(statistics["lost-card"]?.precision == 2.0 / 3.0)
        }
    }
}
