import Foundation
import SwitchyardCore
import Testing
@testable import SwitchyardStore

@Suite("The SQLite layer: file, durability settings, errors, lifecycle")
struct DatabaseTests {
    @Test("an in-memory database is refused: the store is always a file")
    func memoryPathIsRefused() throws {
        let error = #expect(throws: StoreError.self) {
            _ = try SQLiteStore(path: ":memory:", logger: TemporaryStore.quietLogger)
        }
        guard case .invalidPath(":memory:", _) = error else {
            Issue.record("expected invalidPath, got \(String(describing: error))")
            return
        }
    }

    @Test("opening creates missing folders and sets WAL, synchronous=FULL and foreign keys")
    func openingConfiguresDurability() async throws {
        try await withStore { store in
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

    @Test("the reader connection cannot write")
    func readerIsReadOnly() async throws {
        try await withStore { store in
            let error = await #expect(throws: StoreError.self) {
                try await store.database.read { try $0.run("DELETE FROM tickets") }
            }
            guard case .sqlite(let code, _, let sql) = error else {
                Issue.record("expected a SQLite error, got \(String(describing: error))")
                return
            }
            #expect(code & 0xFF == 8, "SQLITE_READONLY")
            #expect(sql == "DELETE FROM tickets")
        }
    }

    @Test("SQL errors carry SQLite's message and the statement")
    func sqlErrorsAreDescriptive() async throws {
        try await withStore { store in
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
        try await withStore { store throws in
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
        try await withStore { store in
            let id = try await store.accept(.sample(1), idempotencyKey: "key-1", receivedAt: t0).ticketID
            try await store.database.write { try $0.run("UPDATE tickets SET tags = 'not json'") }
            let error = await #expect(throws: StoreError.self) { try await store.ticket(id) }
            guard case .corruptRow(let table, let column, _) = error else {
                Issue.record("expected corruptRow, got \(String(describing: error))")
                return
            }
            #expect(table == "tickets")
            #expect(column == "tags")
        }
    }

    @Test("a file from a newer schema is refused with both versions named")
    func newerSchemaIsRefused() async throws {
        try await TemporaryStore.withFolder { temporary in
            let store = try temporary.open()
            try await store.database.write { try $0.execute("PRAGMA user_version = 99") }
            try await store.close()
            #expect(throws: StoreError.schemaTooNew(found: 99, supported: Schema.migrations.count)) {
                _ = try temporary.open()
            }
        }
    }

    @Test("close is idempotent and later calls fail with closed")
    func closeIsIdempotent() async throws {
        try await TemporaryStore.withFolder { temporary in
            let store = try temporary.open()
            try await store.close()
            try await store.close()
            await #expect(throws: StoreError.closed) {
                try await store.accept(.sample(1), idempotencyKey: "k", receivedAt: t0)
            }
            await #expect(throws: StoreError.closed) { try await store.queueDepth() }
        }
    }
}
