import CSQLite
import Foundation
import Logging

/// A SQLite database file with one writer and one reader connection, each on its own
/// thread, exposed as scoped async `read` and `write` calls.
///
/// - Durability: WAL journal, `synchronous=FULL`, so a write whose `write` call returned
///   is on disk and survives a crash or power loss.
/// - Concurrency: the reader runs beside the writer (WAL); writes are group-committed by
///   `GroupCommitter`, so concurrent writers share one transaction and one fsync.
final class Database: Sendable {
    /// How long a connection waits for another process's lock before failing.
    static let busyTimeout: Duration = .seconds(5)

    let path: String
    private let writer: ConnectionThread<WriteJob>
    private let reader: ConnectionThread<ReadJob>
    private let committer: GroupCommitter

    /// Opens (creating if needed) the file at `path`, configures it and applies
    /// `migrations` that have not been applied yet.
    init(path: String, migrations: [Migration], logger: Logger) throws {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else {
            throw StoreError.invalidPath(path, reason: "the store needs a file path, not an in-memory or URI database")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError.invalidPath(path, reason: "cannot create folder \(directory.path): \(error.localizedDescription)")
        }

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
        let version = try Self.migrate(writerConnection, to: migrations, logger: logger)

        let readerConnection = try Connection(path: path, readOnly: true)
        readerConnection.setBusyTimeout(Self.busyTimeout)
        try readerConnection.execute("PRAGMA foreign_keys = ON")

        let committer = GroupCommitter(logger: logger)
        self.path = path
        self.committer = committer
        self.writer = ConnectionThread(name: "store.writer", connection: writerConnection) { connection, jobs in
            committer.commit(jobs, on: connection)
        }
        self.reader = ConnectionThread(name: "store.reader", connection: readerConnection, maximumBatch: 1) {
            connection, jobs in
            for job in jobs { job.run(connection) }
        }
        logger.info("Opened store", metadata: ["path": "\(path)", "schema_version": "\(version)"])
    }

    deinit {
        writer.closeEventually()
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
        try await withCheckedThrowingContinuation { continuation in
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
        await writer.close()
        await reader.close()
    }

    /// Transactions committed and write jobs they carried, since opening.
    var statistics: GroupCommitter.Statistics { committer.statistics }

    /// Writes queued and not yet picked up by the writer thread.
    var pendingWrites: Int { writer.pendingCount }

    private static func migrate(_ connection: Connection, to migrations: [Migration], logger: Logger) throws -> Int {
        let current = try connection.queryFirst("PRAGMA user_version", table: "pragma") { try $0.value(0, as: Int.self) } ?? 0
        guard current <= migrations.count else {
            throw StoreError.schemaTooNew(found: current, supported: migrations.count)
        }
        for (offset, migration) in migrations.enumerated().dropFirst(current) {
            let version = offset + 1
            try connection.execute("BEGIN IMMEDIATE")
            do {
                try connection.execute(migration.sql)
                try connection.execute("PRAGMA user_version = \(version)")
                try connection.execute("COMMIT")
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
            logger.notice("Migrated store schema", metadata: ["version": "\(version)", "migration": "\(migration.summary)"])
        }
        return migrations.count
    }
}
