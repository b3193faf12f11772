import Dispatch
import Foundation
import SwitchyardCore
import SwitchyardStore
import Testing

@testable import SwitchyardSQLite

/// A SQLite store on a fresh file, for what only this engine has (its file, its group commit).
private func withSQLiteStore<R: Sendable>(_ body: (SQLiteStore) async throws -> R) async throws -> R {
    try await StoreLocation.withFresh(.sqlite) { location in
        try await SQLiteStore.withStore(path: location.address, identifiers: SequentialIdentifiers(), logger: StoreLocation.quietLogger, body)
    }
}

extension StoreLocation {
    func openSQLite() throws -> SQLiteStore {
        try SQLiteStore(path: address, identifiers: SequentialIdentifiers(), logger: Self.quietLogger)
    }
}

@Suite("The SQLite engine: file, lock, durability settings, errors, group commit, lifecycle")
struct SQLiteEngineTests {
    @Test("an in-memory database is refused: the store is always a file")
    func memoryPathIsRefused() throws {
        let error = #expect(throws: StoreError.self) {
            _ = try SQLiteStore(path: ":memory:", logger: StoreLocation.quietLogger)
        }
        #expect(error?.code == .invalidLocation)
        #expect(error?.message.contains(":memory:") == true)
    }

    @Test("opening creates missing folders and sets WAL, synchronous=FULL and foreign keys")
    func openingConfiguresDurability() async throws {
        try await withSQLiteStore { store in
            #expect(FileManager.default.fileExists(atPath: store.database.path))
            let journalMode = try await store.database.read { connection in
                try connection.queryFirst("PRAGMA journal_mode", table: "pragma") { try $0.value(0, as: String.self) }
            }
            let (synchronous, foreignKeys) = try await store.database.write { connection in
                (
                    try connection.queryFirst("PRAGMA synchronous", table: "pragma") { try $0.value(0, as: Int.self) },
                    try connection.queryFirst("PRAGMA foreign_keys", table: "pragma") { try $0.value(0, as: Int.self) }
                )
            }
            #expect(journalMode == "wal")
            #expect(synchronous == 2, "FULL")
            #expect(foreignKeys == 1)
        }
    }

    @Test("a read-only opening beside the writing process sees its commits, takes no lock and cannot write")
    func readOnlyBesideTheWriter() async throws {
        try await StoreLocation.withFresh(.sqlite) { location in
            #expect(throws: StoreError.self, "no file yet") { _ = try SQLiteStore(readingOnly: location.address) }
            let writer = try location.openSQLite()
            let reader = try SQLiteStore(readingOnly: location.address, logger: StoreLocation.quietLogger)
            let id = try await writer.accept(.sample(1), idempotencyKey: "key-1", receivedAt: t0).ticketID
            #expect(try await reader.ticket(id)?.ticket == .sample(1), "the writer's commit is visible")
            let refused = await #expect(throws: StoreError.self) {
                _ = try await reader.accept(.sample(2), idempotencyKey: "key-2", receivedAt: t0)
            }
            #expect(refused?.code == .readOnly)
            try await reader.close()
            try await writer.close()
        }
    }

    @Test("the reader connection cannot write")
    func readerIsReadOnly() async throws {
        try await withSQLiteStore { store in
            let error = await #expect(throws: StoreError.self) {
                try await store.database.read { try $0.run("DELETE FROM tickets") }
            }
            #expect(error?.code == .database)
            #expect(error?.message.contains("SQLite error 8") == true, "SQLITE_READONLY: \(String(describing: error))")
            #expect(error?.message.hasSuffix("(in: DELETE FROM tickets)") == true)
        }
    }

    @Test("SQL errors carry SQLite's message and the statement")
    func sqlErrorsAreDescriptive() async throws {
        try await withSQLiteStore { store in
            let error = await #expect(throws: StoreError.self) {
                try await store.database.read { try $0.run("SELECT * FROM nowhere") }
            }
            #expect(error?.description.contains("no such table: nowhere") == true)
            #expect(error?.description.contains("SELECT * FROM nowhere") == true)
        }
    }

    @Test("a write that throws is rolled back")
    func throwingWriteIsRolledBack() async throws {
        struct Refused: Error {}
        try await withSQLiteStore { store throws in
            await #expect(throws: Refused.self) {
                try await store.database.write { connection in
                    try connection.run("INSERT INTO artifacts (name, fingerprint, data) VALUES ('m', 'f', x'00')")
                    throw Refused()
                }
            }
            #expect(try await store.artifact(named: "m") == nil)
        }
    }

    @Test("a value that does not fit its column type is reported as a corrupt row naming table and column")
    func corruptValuesAreReported() async throws {
        try await withSQLiteStore { store in
            let id = try await store.accept(.sample(1), idempotencyKey: "key-1", receivedAt: t0).ticketID
            try await store.database.write { try $0.run("UPDATE tickets SET tags = 'not json'") }
            let error = await #expect(throws: StoreError.self) { try await store.ticket(id) }
            #expect(error?.code == .corruptRow)
            #expect(error?.message.hasPrefix("corrupt value in tickets.tags:") == true, "\(String(describing: error))")
        }
    }

    @Test("a file migrated by a newer Switchyard is refused, naming the migrations this one does not know")
    func newerSchemaIsRefused() async throws {
        try await StoreLocation.withFresh(.sqlite) { location in
            let store = try location.openSQLite()
            try await store.database.write {
                try $0.run("INSERT INTO schema_migrations (name, applied_at) VALUES ('9999-future', 0)")
            }
            try await store.close()
            #expect(throws: StoreError.schemaTooNew(unknown: ["9999-future"])) {
                _ = try location.openSQLite()
            }
        }
    }

    @Test("a file from before named migrations (user_version 1) is migrated: its decisions become history")
    func legacyFileIsMigrated() async throws {
        try await StoreLocation.withFresh(.sqlite) { location in
            // The first release's schema, with one decided ticket, as it wrote it.
            try FileManager.default.createDirectory(
                at: URL(fileURLWithPath: location.address).deletingLastPathComponent(), withIntermediateDirectories: true)
            let legacy = try Connection(path: location.address, readOnly: false)
            try legacy.execute(Schema.migrations[0].sql)
            try legacy.execute(
                """
                INSERT INTO tickets (id, source, idempotency_key, external_id, subject, body, tags, custom_fields, status,
                    attempts, received_at) VALUES ('tkt_old', 'generic', 'k', 'e', 's', 'b', '[]', '{}', 'decided', 1, 0);
                INSERT INTO decisions (ticket_id, department, tags, confidence, stage, provenance, decided_at)
                VALUES ('tkt_old', 'cards', '[]', 1, 'rule',
                    '{"stage":"rule","decided_by":"r1","fallback_reasons":[],"ruleset_version":"v1","latency_ms":1}', 0);
                INSERT INTO feedback (ticket_id, verdict, created_at) VALUES ('tkt_old', 'up', 0);
                PRAGMA user_version = 1;
                """)
            legacy.close()
            let store = try location.openSQLite()
            let record = try #require(try await store.ticket(TicketID("tkt_old")))
            #expect(record.decisions.count == 1)
            #expect(record.decision?.provenance.decidedBy == "r1")
            #expect(record.feedback.map(\.decisionID) == record.decisions.map(\.id))
            let status = try await store.status(now: t0, staleBefore: t0)
            #expect(status.appliedMigrations == Schema.migrations.map(\.name))
            #expect(status.pendingMigrations.isEmpty)
            try await store.close()
        }
    }

    @Test("a second store on the same file is refused while the first is open, naming the process; free after close")
    func secondProcessIsRefused() async throws {
        try await StoreLocation.withFresh(.sqlite) { location in
            let first = try location.openSQLite()
            let error = #expect(throws: StoreError.self) { _ = try location.openSQLite() }
            #expect(error?.code == .inUse)
            #expect(error?.message.contains("process \(ProcessInfo.processInfo.processIdentifier)") == true)
            #expect(error?.message.contains("engine: postgres") == true)
            try await first.close()
            let second = try location.openSQLite()
            try await second.close()
        }
    }

    @Test("close is idempotent and later calls fail with closed")
    func closeIsIdempotent() async throws {
        try await StoreLocation.withFresh(.sqlite) { location in
            let store = try location.openSQLite()
            try await store.close()
            try await store.close()
            await #expect(throws: StoreError.closed) {
                try await store.accept(.sample(1), idempotencyKey: "k", receivedAt: t0)
            }
            await #expect(throws: StoreError.closed) { try await store.queueDepth() }
        }
    }

    @Test("200 concurrent accepts all succeed and share commits (group commit)")
    func concurrentAcceptsShareCommits() async throws {
        try await withSQLiteStore { store in
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
        try await withSQLiteStore { store in
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
            async let feedbackResult: Result<DecisionID, any Error> = {
                do { return .success(try await store.addFeedback(Feedback(verdict: .up, createdAt: t0), to: missing, decision: nil)) }
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
