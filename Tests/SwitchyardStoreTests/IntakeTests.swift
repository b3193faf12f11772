import Dispatch
import Foundation
import SwitchyardCore
import Testing
import SwitchyardStore

@Suite("Intake: accepting tickets durably and exactly once")
struct IntakeTests {
    @Test("an accepted ticket is stored as queued, with every field intact", arguments: Engine.allCases)
    func acceptStoresQueuedTicket(engine: Engine) async throws {
        try await withStore(engine) { store in
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

    @Test("a ticket without optional fields round-trips with empty text and no requester", arguments: Engine.allCases)
    func minimalTicketRoundTrips(engine: Engine) async throws {
        try await withStore(engine) { store in
            let minimal = Ticket(externalID: "", source: "generic")
            let id = try await store.accept(minimal, idempotencyKey: "k", receivedAt: t0).ticketID
            #expect(try await store.ticket(id)?.ticket == minimal)
        }
    }

    @Test("the same source and idempotency key is a duplicate of the first ticket; another source is new", arguments: Engine.allCases)
    func duplicatesAreDetectedPerSource(engine: Engine) async throws {
        try await withStore(engine) { store in
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

    @Test("accepted tickets survive closing and reopening the store, still queued and still deduplicated", arguments: Engine.allCases)
    func acceptedTicketsSurviveReopen(engine: Engine) async throws {
        try await StoreLocation.withFresh(engine) { location in
            let identifiers = SequentialIdentifiers()
            let accepted = try await location.open(identifiers: identifiers) { store in
                var accepted: [TicketID] = []
                for number in 1...25 {
                    accepted.append(
                        try await store.accept(.sample(number), idempotencyKey: "key-\(number)", receivedAt: t0 + Double(number)).ticketID)
                }
                return accepted
            }
            try await location.open(identifiers: identifiers) { reopened in
                #expect(try await reopened.queueDepth() == 25)
                #expect(try await reopened.accept(.sample(7), idempotencyKey: "key-7", receivedAt: t0) == .duplicate(accepted[6]))
                let claimed = try await reopened.claimQueued(limit: 100, claim: .named("w"), now: t0 + 60, lease: .seconds(30))
                #expect(claimed.map(\.id) == accepted, "all of them, once each, oldest first")
            }
        }
    }

    @Test("200 concurrent accepts all succeed, each stored once; repeating them all finds duplicates", arguments: Engine.allCases)
    func concurrentAcceptsAllSucceed(engine: Engine) async throws {
        try await withStore(engine) { store in
            func acceptAll() async throws -> [IntakeOutcome] {
                try await withThrowingTaskGroup(of: IntakeOutcome.self) { group in
                    for number in 1...200 {
                        group.addTask { try await store.accept(.sample(number), idempotencyKey: "key-\(number)", receivedAt: t0) }
                    }
                    return try await group.reduce(into: [IntakeOutcome]()) { $0.append($1) }
                }
            }
            let outcomes = try await acceptAll()
            #expect(outcomes.allSatisfy { if case .accepted = $0 { true } else { false } })
            #expect(Set(outcomes.map(\.ticketID)).count == 200)
            let again = try await acceptAll()
            #expect(again.allSatisfy { if case .duplicate = $0 { true } else { false } })
            #expect(Set(again.map(\.ticketID)) == Set(outcomes.map(\.ticketID)))
            #expect(try await store.queueDepth() == 200)
        }
    }

    @Test("U+0000 in any text is stored as U+FFFD by every engine; the rest of the text is kept", arguments: Engine.allCases)
    func nulCharactersAreReplaced(engine: Engine) async throws {
        try await withStore(engine) { store in
            var ticket = Ticket.sample(1)
            ticket.body = "before\u{0}after"
            ticket.subject = "\u{0}"
            ticket.tags = ["a\u{0}b"]
            ticket.customFields = ["k\u{0}": "v\u{0}"]
            let id = try await store.accept(ticket, idempotencyKey: "key\u{0}1", receivedAt: t0).ticketID
            let stored = try #require(try await store.ticket(id))
            #expect(stored.ticket.body == "before\u{FFFD}after")
            #expect(stored.ticket.subject == "\u{FFFD}")
            #expect(stored.ticket.tags == ["a\u{FFFD}b"])
            #expect(stored.ticket.customFields == ["k\u{FFFD}": "v\u{FFFD}"])
            #expect(stored.idempotencyKey == "key\u{FFFD}1")
            #expect(try await store.accept(ticket, idempotencyKey: "key\u{0}1", receivedAt: t0) == .duplicate(id))
        }
    }
}
