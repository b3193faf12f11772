public import Logging
public import SwitchyardCore

/// The single-node `TicketStore`: one SQLite file in WAL mode, written with group commit.
///
/// Every write call returns after its transaction is committed with `synchronous=FULL`,
/// so a ticket whose intake was answered survives `kill -9` and power loss. Concurrent
/// writes share one transaction and one fsync (see `commitStatistics()`).
public final class SQLiteStore: TicketStore {
    let database: Database
    let identifiers: any IdentifierGenerator
    let logger: Logger

    /// Opens (creating folders and file if needed) and migrates. `path` ":memory:" NOT
    /// supported: always a file. Ticket ids come from `identifiers.next(prefix: "tkt")`.
    public init(
        path: String,
        identifiers: any IdentifierGenerator = RandomIdentifierGenerator(),
        logger: Logger = Logger(label: "switchyard.store")
    ) throws {
        self.database = try Database(path: path, migrations: Schema.migrations, logger: logger)
        self.identifiers = identifiers
        self.logger = logger
    }

    /// Finishes pending writes and closes both connections. Idempotent.
    public func close() async throws {
        await database.close()
    }

    /// Commits made by the writer and write jobs committed, for group-commit checks.
    public func commitStatistics() async -> (commits: Int, writes: Int) {
        let statistics = database.statistics
        return (statistics.commits, statistics.writes)
    }
}
