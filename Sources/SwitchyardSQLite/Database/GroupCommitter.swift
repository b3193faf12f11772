import Logging
import SwitchyardStore
import Synchronization

/// Commits batches of write jobs in one transaction and one fsync.
///
/// The writer thread hands over every job queued since the last commit. Each runs in its
/// own SAVEPOINT inside one `BEGIN IMMEDIATE … COMMIT`, so a job that throws rolls back
/// alone and gets its own error while the others commit. Callers are resumed only after
/// COMMIT has returned, so a write never reports success before it is durable.
final class GroupCommitter: Sendable {
    /// Transactions committed and write jobs they carried.
    struct Statistics: Sendable, Hashable {
        var commits = 0
        var writes = 0
    }

    private let logger: Logger
    private let counters = Mutex(Statistics())

    init(logger: Logger) {
        self.logger = logger
    }

    var statistics: Statistics {
        counters.withLock { $0 }
    }

    /// Runs `jobs` in one transaction on `connection`, then resumes every caller.
    func commit(_ jobs: [WriteJob], on connection: Connection) {
        var finishers: [@Sendable ((any Error)?) -> Void] = []
        finishers.reserveCapacity(jobs.count)
        var succeeded = 0
        do {
            // Prepared once and cached by the connection: parsing these on every job showed
            // up in intake profiles.
            try connection.run("BEGIN IMMEDIATE")
            for job in jobs {
                try connection.run("SAVEPOINT write_job")
                let outcome = job.run(connection)
                finishers.append(outcome.finish)
                if outcome.succeeded {
                    succeeded += 1
                } else {
                    try connection.run("ROLLBACK TO write_job")
                }
                try connection.run("RELEASE write_job")
            }
            if succeeded > 0 {
                try connection.run("COMMIT")
                counters.withLock {
                    $0.commits += 1
                    $0.writes += succeeded
                }
            } else {
                try connection.run("ROLLBACK")
            }
        } catch {
            logger.error(
                "Write transaction failed; its writes are rolled back",
                metadata: ["error": "\(error)", "jobs": "\(jobs.count)"]
            )
            if connection.isInTransaction {
                try? connection.execute("ROLLBACK")
            }
            for finish in finishers { finish(error) }
            for job in jobs.dropFirst(finishers.count) { job.abandon(error) }
            return
        }
        for finish in finishers { finish(nil) }
    }
}
