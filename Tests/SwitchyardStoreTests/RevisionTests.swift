import Foundation
import SwitchyardCore
import Testing
import SwitchyardStore

@Suite("Revisions: a ticket the platform sends again is decided again only when its text changed")
struct RevisionTests {
    @Test("a claimed ticket's content is replaced by what was fetched; a claim that was taken over writes nothing", arguments: Engine.allCases)
    func replaceFetchedContent(engine: Engine) async throws {
        try await withStore(engine) { store in
            let id = try await store.acceptAndClaim(1, now: t0)
            var fetched = Ticket.sample(1)
            fetched.subject = "Card declined at the airport"
            fetched.body = "Hi, my card was declined twice."
            fetched.originalBody = "Hi,<br>my card was declined twice."
            fetched.requester = Requester(name: nil, email: "bruno@example.com")
            fetched.tags = []
            fetched.priority = "HIGH"
            fetched.status = "1"
            fetched.customFields["category"] = "PRODUCT_ISSUE"
            try await store.replaceContent(of: id, with: fetched, claim: .named("worker-a"))
            let record = try #require(try await store.ticket(id))
            #expect(record.ticket == fetched)
            #expect(record.status == .claimed, "still claimed: the decision comes next")

            await #expect(throws: StoreError.leaseLost(id, claim: Claim.named("worker-b").token)) {
                try await store.replaceContent(of: id, with: .sample(1), claim: .named("worker-b"))
            }
            #expect(try await store.ticket(id)?.ticket == fetched)
            await #expect(throws: StoreError.ticketNotFound(TicketID("no-such-ticket"))) {
                try await store.replaceContent(of: TicketID("no-such-ticket"), with: .sample(1), claim: .named("worker-a"))
            }
        }
    }

    @Test("an update of an unknown ticket is unknown; the same text is unchanged; new text requeues with the new fields", arguments: Engine.allCases)
    func textDecidesWhetherToRequeue(engine: Engine) async throws {
        try await withStore(engine) { store in
            #expect(try await store.revise(.sample(1), retriage: false, receivedAt: t0) == .unknown)
            let id = try await store.acceptAndClaim(1, now: t0)
            try await store.recordDecision(.sample(), for: id, claim: .named("worker-a"), writeBacks: [.sample()], now: t0)

            var echo = Ticket.sample(1)
            echo.tags.append("cards")  // our own write-back coming back: tags changed, text did not
            #expect(try await store.revise(echo, retriage: false, receivedAt: t0 + 5) == .unchanged(id))
            #expect(try await store.ticket(id)?.status == .decided)
            #expect(try await store.ticket(id)?.ticket.tags == Ticket.sample(1).tags, "an unchanged update writes nothing")

            let idOnly = Ticket(externalID: "ext-1", source: "generic")
            #expect(try await store.revise(idOnly, retriage: false, receivedAt: t0 + 6) == .unchanged(id), "no text: nothing changed")
            #expect(try await store.revise(.sample(1, source: "zendesk"), retriage: false, receivedAt: t0 + 6) == .unknown)

            var reply = Ticket.sample(1)
            reply.body = "Still declined, and now my transfer failed too."
            reply.tags = ["escalated"]
            #expect(try await store.revise(reply, retriage: false, receivedAt: t0 + 10) == .requeued(id))
            let record = try #require(try await store.ticket(id))
            #expect(record.status == .queued)
            #expect(record.ticket == reply)
            #expect(record.receivedAt == t0 + 10)
            #expect(record.decision?.department == "cards", "the earlier decision stays current until the next one")
            #expect(try await store.queueDepth() == 1)
            let claimed = try await store.claimQueued(limit: 5, claim: .named("worker-b"), now: t0 + 11, lease: .seconds(30))
            #expect(claimed.map(\.id) == [id])
            #expect(claimed.first?.ticket.body == reply.body)
            #expect(claimed.first?.attempts == 1, "attempts count from the revision")
        }
    }

    @Test("retriage requeues the same text; an id-only retriage keeps the stored text", arguments: Engine.allCases)
    func retriageRequeues(engine: Engine) async throws {
        try await withStore(engine) { store in
            let id = try await store.acceptAndClaim(1, now: t0)
            try await store.recordDecision(.sample(), for: id, claim: .named("worker-a"), writeBacks: [], now: t0)
            let idOnly = Ticket(externalID: "ext-1", source: "generic")
            #expect(try await store.revise(idOnly, retriage: true, receivedAt: t0 + 5) == .requeued(id))
            let record = try #require(try await store.ticket(id))
            #expect(record.status == .queued)
            #expect(record.ticket == .sample(1), "the stored text is decided again")
        }
    }

    @Test("an update while the ticket is being decided takes the claim away: the old text's decision is refused", arguments: Engine.allCases)
    func updateDuringDecisionWins(engine: Engine) async throws {
        try await withStore(engine) { store in
            let id = try await store.acceptAndClaim(1, now: t0)
            var reply = Ticket.sample(1)
            reply.subject = "Card declined, again"
            #expect(try await store.revise(reply, retriage: false, receivedAt: t0 + 1) == .requeued(id))
            await #expect(throws: StoreError.self) {
                try await store.recordDecision(.sample(), for: id, claim: .named("worker-a"), writeBacks: [.sample()], now: t0 + 2)
            }
            #expect(try await store.ticket(id)?.writeBacks.isEmpty == true)
            let claimed = try await store.claimQueued(limit: 5, claim: .named("worker-b"), now: t0 + 3, lease: .seconds(30))
            #expect(claimed.first?.ticket.subject == "Card declined, again")
        }
    }

    @Test("text removed by retention counts as changed when the update brings text back", arguments: Engine.allCases)
    func purgedTextIsRestored(engine: Engine) async throws {
        try await withStore(engine) { store in
            let id = try await store.acceptAndClaim(1, now: t0)
            try await store.recordDecision(.sample(), for: id, claim: .named("worker-a"), writeBacks: [], now: t0)
            _ = try await store.purgePersonalData(receivedBefore: t0 + 1, now: t0 + 2)
            #expect(try await store.ticket(id)?.ticket.body == "")
            #expect(try await store.revise(.sample(1), retriage: false, receivedAt: t0 + 3) == .requeued(id))
            #expect(try await store.ticket(id)?.ticket.body == Ticket.sample(1).body)
        }
    }

    @Test("decided again to the same department, priority and tags: recorded, but nothing more is written back", arguments: Engine.allCases)
    func repeatedDecisionQueuesNoWriteBack(engine: Engine) async throws {
        try await withStore(engine) { store in
            let id = try await store.acceptAndClaim(1, now: t0)
            try await store.recordDecision(.sample(), for: id, claim: .named("worker-a"), writeBacks: [.sample()], now: t0)
            var reply = Ticket.sample(1)
            reply.body = "Any news?"

            #expect(try await store.revise(reply, retriage: false, receivedAt: t0 + 10) == .requeued(id))
            _ = try await store.claimQueued(limit: 1, claim: .named("worker-b"), now: t0 + 11, lease: .seconds(30))
            var same = Decision.sample(at: t0 + 12)
            same.confidence = 0.7
            try await store.recordDecision(same, for: id, claim: .named("worker-b"), writeBacks: [.sample()], now: t0 + 12)
            var record = try #require(try await store.ticket(id))
            #expect(record.writeBacks.count == 1, "the platform has this decision already")
            #expect(record.decision?.confidence == 0.7, "the new decision is current")

            reply.body = "Please move this to disputes."
            #expect(try await store.revise(reply, retriage: false, receivedAt: t0 + 20) == .requeued(id))
            _ = try await store.claimQueued(limit: 1, claim: .named("worker-c"), now: t0 + 21, lease: .seconds(30))
            var other = Decision.sample(at: t0 + 22)
            other.department = "disputes_refunds"
            try await store.recordDecision(other, for: id, claim: .named("worker-c"), writeBacks: [.sample()], now: t0 + 22)
            record = try #require(try await store.ticket(id))
            #expect(record.writeBacks.count == 2, "a different decision is written back")
        }
    }
}
