import CSQLite
import Foundation
import Logging
import SwitchyardStore

/// A SQLite database file with one writer and one reader connection, each on its own
/// thread, exposed as scoped async `read` and `write` calls.
///
/// - Durability: WAL journal, `synchronous=FULL`, so a write whose `write` call returned
///   is on disk and survives a crash or power loss.
/// - Concurrency: the reader runs beside the writer (WAL); writes are group-committed by
///   `GroupCommitter`, so concurrent writers share one transaction and one fsync.
final class Database: Sendable {
    /// How long a connection waits for another process's lock before failing. Only another
    /// process can hold it (this one writes through one connection, and readers do not block
    /// a WAL writer): `sqlite3` with `BEGIN EXCLUSIVE`, say. A write queued behind a batch that
    /// is waiting waits in its turn, so a webhook is refused within twice this: well inside a
    /// platform's webhook timeout (10 s for several).
    static let busyTimeout: Duration = .seconds(2)

    let path: String
    /// nil when opened read-only.
    private let writer: ConnectionThread<WriteJob>?
    private let reader: ConnectionThread<ReadJob>
    private let committer: GroupCommitter
    /// Held while the database is open for writing: one writing process per file. nil when
    /// opened read-only.
    private let lock: FileLock?

    /// Opens an existing file for reading only, beside the process that writes it (WAL lets
    /// readers see its committed transactions): no lock, no migrations, and every write
    /// fails with `StoreError.readOnly`. The schema must be up to date.
    init(readingOnly path: String, migrations: [Migration], logger: Logger) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError.invalidLocation("path \"\(path)\"", reason: "no store file there (the server creates it at its first start)")
        }
        let readerConnection = try Connection(path: path, readOnly: true)
        readerConnection.setBusyTimeout(Self.busyTimeout)
        let applied = try Self.appliedMigrations(readerConnection)
        let unknown = applied.filter { name in !migrations.contains { $0.name == name } }
        guard unknown.isEmpty else { throw StoreError.schemaTooNew(unknown: unknown) }
        let pending = migrations.map(\.name).filter { !applied.contains($0) }
        guard pending.isEmpty else {
            throw StoreError.invalidLocation(
                "path \"\(path)\"",
                reason: "its schema lacks \(pending.joined(separator: ", ")); run `switchyard store migrate` or start the server once")
        }
        self.path = path
        self.lock = nil
        self.committer = GroupCommitter(logger: logger)
        self.writer = nil
        self.reader = ConnectionThread(name: "store.reader", connection: readerConnection, maximumBatch: 1) {
            connection, jobs in
            for job in jobs { job.run(connection) }
        }
    }

    /// Opens (creating if needed) the file at `path`, configures it and applies
    /// `migrations` that have not been applied yet.
    init(path: String, migrations: [Migration], logger: Logger) throws {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else {
            throw StoreError.invalidLocation("path \"\(path)\"", reason: "the store needs a file path, not an in-memory or URI database")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError.invalidLocation("path \"\(path)\"", reason: "cannot create folder \(directory.path): \(error.localizedDescription)")
        }

        let lock = try FileLock(path: path + ".lock", storePath: path)
        let writerConnection = try Connection(path: path, readOnly: false)
        writerConnection.setBusyTimeout(Self.busyTimeout)
        let journalMode = try writerConnection.queryFirst("PRAGMA journal_mode = WAL", table: "pragma") {
            try $0.value(0, as: String.self)
        }
        guard journalMode?.lowercased() == "wal" else {
            throw StoreError.sqlite(
                code: SQLITE_ERROR,
                message: "journal mode is \(journalMode ?? "unknown"), not WAL; is the file on a filesystem without shared memory?",
                sql: "PRAGMA journal_mode = WAL"
            )
        }
        try writerConnection.execute("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON")
        let applied = try Self.migrate(writerConnection, to: migrations, logger: logger)

        let readerConnection = try Connection(path: path, readOnly: true)
        readerConnection.setBusyTimeout(Self.busyTimeout)
        try readerConnection.execute("PRAGMA foreign_keys = ON")

        let committer = GroupCommitter(logger: logger)
        self.path = path
        self.lock = lock
        self.committer = committer
        self.writer = ConnectionThread(name: "store.writer", connection: writerConnection) { connection, jobs in
            committer.commit(jobs, on: connection)
        }
        self.reader = ConnectionThread(name: "store.reader", connection: readerConnection, maximumBatch: 1) {
            connection, jobs in
            for job in jobs { job.run(connection) }
        }
        logger.info("Opened store", metadata: ["path": "\(path)", "migrations": "\(applied.count)"])
    }

    deinit {
        writer?.closeEventually()
        reader.closeEventually()
    }

    /// Runs `body` in a read transaction (one consistent snapshot) on the reader connection.
    func read<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let job = ReadJob { connection in
                continuation.resume(
                    with: Result {
                        try connection.execute("BEGIN DEFERRED")
                        defer { try? connection.execute("COMMIT") }
                        return try body(connection)
                    }
                )
            }
            if !reader.enqueue(job) {
                continuation.resume(throwing: StoreError.closed)
            }
        }
    }

    /// Runs `body` on the writer connection as part of the next group commit and returns
    /// its result once that transaction has committed. If `body` throws, its changes are
    /// rolled back (and only its own) and the error is rethrown.
    @discardableResult
    func write<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        guard let writer else { throw StoreError.readOnly(path) }
        return try await withCheckedThrowingContinuation { continuation in
            let job = WriteJob(
                run: { connection in
                    do {
                        let value = try body(connection)
                        return (true, { transactionError in
                            if let transactionError {
                                continuation.resume(throwing: transactionError)
                            } else {
                                continuation.resume(returning: value)
                            }
                        })
                    } catch {
                        return (false, { _ in continuation.resume(throwing: error) })
                    }
                },
                abandon: { error in continuation.resume(throwing: error) }
            )
            if !writer.enqueue(job) {
                continuation.resume(throwing: StoreError.closed)
            }
        }
    }

    /// Finishes queued reads and writes, then closes both connections. Idempotent.
    func close() async {
        await writer?.close()
        await reader.close()
        lock?.release()
    }

    /// Transactions committed and write jobs they carried, since opening.
    var statistics: GroupCommitter.Statistics { committer.statistics }

    /// Writes queued and not yet picked up by the writer thread.
    var pendingWrites: Int { writer?.pendingCount ?? 0 }

    /// Applies the migrations `connection`'s file does not have yet, each in its own
    /// transaction, and returns the names of all applied ones.
    ///
    /// Migrations are known by name in `schema_migrations`. A file from before named migrations
    /// (schema version 1 in `PRAGMA user_version`) counts as having the first one.
    private static func migrate(_ connection: Connection, to migrations: [Migration], logger: Logger) throws -> [String] {
        try connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)")
        var applied = try appliedMigrations(connection)
        if applied.isEmpty, let first = migrations.first,
            try connection.queryFirst("PRAGMA user_version", table: "pragma", { try $0.value(0, as: Int.self) }) == 1
        {
            try connection.run("INSERT INTO schema_migrations (name, applied_at) VALUES (?1, ?2)", [first.name, Date()])
            applied = [first.name]
        }
        let unknown = applied.filter { name in !migrations.contains { $0.name == name } }
        guard unknown.isEmpty else { throw StoreError.schemaTooNew(unknown: unknown) }
        for migration in migrations where !applied.contains(migration.name) {
            try connection.execute("BEGIN IMMEDIATE")
            do {
                try connection.execute(migration.sql)
                try connection.run("INSERT INTO schema_migrations (name, applied_at) VALUES (?1, ?2)", [migration.name, Date()])
                try connection.execute("COMMIT")
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
            applied.append(migration.name)
            logger.notice("Migrated store schema", metadata: ["migration": "\(migration.name)", "summary": "\(migration.summary)"])
        }
        return applied
    }

    /// Names of the migrations recorded in `schema_migrations`, in the order applied.
    static func appliedMigrations(_ connection: Connection) throws -> [String] {
        try connection.query(
            "SELECT name FROM schema_migrations ORDER BY applied_at, rowid", table: "schema_migrations"
        ) { try $0.value(0, as: String.self) }
    }
}
