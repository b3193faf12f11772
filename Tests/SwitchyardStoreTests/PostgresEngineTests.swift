import Foundation
import SwitchyardCore
import SwitchyardPostgres
import SwitchyardStore
import SwitchyardTestSupport
import Testing

/// What only the PostgreSQL engine has: several processes on one database, its URL, its
/// notifications, its migrations under a lock.
@Suite("The PostgreSQL engine: replicas on one database, URL, notifications, migrations, errors")
struct PostgresEngineTests {
    @Test("two stores on one database (replicas) see each other's tickets at once and deduplicate across them")
    func replicasShareOneDatabase() async throws {
        try await StoreLocation.withFresh(.postgres) { location in
            try await location.open(identifiers: SequentialIdentifiers()) { first in
                // Ids from a second sequence would collide with the first's: give it its own prefix space.
                try await location.open(identifiers: PrefixedIdentifiers(prefix: "b")) { second in
                    let id = try await first.accept(.sample(1), idempotencyKey: "key-1", receivedAt: t0).ticketID
                    #expect(try await second.ticket(id)?.status == .queued)
                    #expect(try await second.accept(.sample(1), idempotencyKey: "key-1", receivedAt: t0 + 1) == .duplicate(id))
                    #expect(try await second.queueDepth() == 1)
                }
            }
        }
    }

    @Test("a ticket queued through one store notifies a store watching on another connection")
    func queuedTicketsNotifyWatchers() async throws {
        try await StoreLocation.withFresh(.postgres) { location in
            try await location.open { watcher in
                try await location.open(identifiers: PrefixedIdentifiers(prefix: "b")) { writer in
                    let notified = Shared(0)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await watcher.watchForTickets { notified.update { $0 += 1 } } }
                        // The watcher calls once when it starts listening (to catch up), then per notification.
                        try await waitUntil { notified.value >= 1 }
                        let before = notified.value
                        _ = try await writer.accept(.sample(1), idempotencyKey: "key-1", receivedAt: t0)
                        try await waitUntil { notified.value > before }
                        group.cancelAll()
                    }
                }
            }
        }
    }

    @Test("replicas starting together migrate once, one after the other, and agree on the schema")
    func concurrentStartsMigrateOnce() async throws {
        try await StoreLocation.withFresh(.postgres) { location in
            let statuses = try await withThrowingTaskGroup(of: StoreStatus.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await location.open { store in try await store.status(now: t0, staleBefore: t0) }
                    }
                }
                return try await group.reduce(into: [StoreStatus]()) { $0.append($1) }
            }
            #expect(statuses.count == 4)
            #expect(Set(statuses.map(\.appliedMigrations)) == [["0001-initial", "0002-decision-fields", "0003-ticket-platform-fields", "0004-ticket-original-body",
                "0005-tickets-by-external-id", "0006-outbox-due-by-adapter", "0007-provider-spending",
                "0008-model-answer-cache", "0009-deferred-tickets", "0010-decisions-by-time",
            ]])
            #expect(statuses.allSatisfy { $0.pendingMigrations.isEmpty && $0.writable })
        }
    }

    @Test("storage.url is read as libpq writes it: user, escaped password, host, port, database, sslmode")
    func urlIsParsed() throws {
        let settings = try PostgresSettings(url: "postgres://switchyard:p%40ss%3Aword@db.internal:6432/tickets?sslmode=verify-full")
        #expect(settings.username == "switchyard")
        #expect(settings.password == "p@ss:word")
        #expect(settings.host == "db.internal")
        #expect(settings.port == 6432)
        #expect(settings.database == "tickets")
        #expect(settings.tls == .verifyFull)
        #expect(settings.location == "postgres://switchyard@db.internal:6432/tickets", "never the password")
        #expect(try PostgresSettings(url: "postgresql://u@h/d").port == 5432)
        #expect(try PostgresSettings(url: "postgresql://u@h/d").tls == .prefer)
    }

    @Test("a URL that cannot work is refused saying what is missing, without echoing the password", arguments: [
        ("mysql://u:secret@h/d", "expected postgres://"),
        ("postgres://u:secret@/d", "names no host"),
        ("postgres://h/d", "names no user"),
        ("postgres://u:secret@h", "names no database"),
        ("postgres://u:secret@h/d?sslmode=allow", "sslmode=allow is not supported"),
        ("postgres://u:secret@h/d?pool=3", "unknown URL parameter \"pool\""),
    ])
    func badURLsAreRefused(url: String, expected: String) {
        let error = #expect(throws: PostgresURLError.self) { try PostgresSettings(url: url) }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
        #expect(error?.description.contains("secret") == false)
    }

    @Test("a server that does not answer is `unavailable`, promptly, naming no password")
    func unreachableServerIsUnavailable() async throws {
        var settings = try PostgresSettings(url: "postgres://switchyard:secret@127.0.0.1:9/switchyard")
        settings.connectTimeout = .seconds(2)
        settings.tls = .disable
        let error = await #expect(throws: StoreError.self) {
            try await PostgresStore.withStore(settings, logger: StoreLocation.quietLogger) { _ in }
        }
        #expect(error?.code == .unavailable, "\(String(describing: error))")
        #expect(error?.message.contains("cannot connect to 127.0.0.1:9") == true, "\(String(describing: error))")
        #expect(error?.message.contains("secret") == false)
    }
}

/// Ticket ids for a second store in the same test, so that they do not collide with the
/// first store's `SequentialIdentifiers`.
final class PrefixedIdentifiers: IdentifierGenerator {
    private let inner = SequentialIdentifiers()
    private let prefix: String

    init(prefix: String) {
        self.prefix = prefix
    }

    func next(prefix kind: String) -> String {
        inner.next(prefix: kind + "_" + prefix)
    }
}
