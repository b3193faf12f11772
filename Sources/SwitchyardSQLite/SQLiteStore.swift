public import Logging
public import SwitchyardCore
public import SwitchyardStore

/// The single-node `TicketStore`: one SQLite file in WAL mode, written with group commit.
///
/// Every write call returns after its transaction is committed with `synchronous=FULL`,
/// so a ticket whose intake was answered survives `kill -9` and power loss. Concurrent
/// writes share one transaction and one fsync (see `commitStatistics()`). One process at a
/// time: a second one on the same file fails at open with `StoreError.inUse`.
public final class SQLiteStore: TicketStore {
    public var engine: String { "sqlite" }

    let database: Database
    let identifiers: any IdentifierGenerator
    let logger: Logger

    /// Opens (creating folders and file if needed), locks and migrates. Always a file, never
    /// ":memory:". Ticket ids come from `identifiers.next(prefix: "tkt")`.
    public init(
        path: String,
        identifiers: any IdentifierGenerator = RandomIdentifierGenerator(),
        logger: Logger = Logger(label: "switchyard.store")
    ) throws {
        self.database = try Database(path: path, migrations: Schema.migrations, logger: logger)
        self.identifiers = identifiers
        self.logger = logger
    }

    /// Opens an existing store for reading only, beside the server that writes it: no lock,
    /// no migrations; every write throws `StoreError.readOnly`. For the command-line tools
    /// that read past tickets (`rules explain`, `rules replay`).
    public init(readingOnly path: String, logger: Logger = Logger(label: "switchyard.store")) throws {
        self.database = try Database(readingOnly: path, migrations: Schema.migrations, logger: logger)
        self.identifiers = RandomIdentifierGenerator()
        self.logger = logger
    }

    /// Opens the store at `path` (`readOnly`: as ``init(readingOnly:logger:)`` does), runs
    /// `body` with it and closes it after `body` returns or throws (the counterpart of
    /// `PostgresStore.withStore`).
    public static func withStore<Result: Sendable>(
        path: String,
        readOnly: Bool = false,
        identifiers: any IdentifierGenerator = RandomIdentifierGenerator(),
        logger: Logger = Logger(label: "switchyard.store"),
        _ body: (SQLiteStore) async throws -> Result
    ) async throws -> Result {
        let store = readOnly
            ? try SQLiteStore(readingOnly: path, logger: logger)
            : try SQLiteStore(path: path, identifiers: identifiers, logger: logger)
        do {
            let result = try await body(store)
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// The database file.
    public var path: String { database.path }

    /// Finishes pending writes, closes both connections and unlocks the file. Idempotent.
    public func close() async throws {
        await database.close()
    }

    /// Commits made by the writer and write jobs committed, for group-commit checks.
    public func commitStatistics() async -> (commits: Int, writes: Int) {
        let statistics = database.statistics
        return (statistics.commits, statistics.writes)
    }

    /// One process per file: nobody else queues tickets.
    public func watchForTickets(_ onNewTicket: @escaping @Sendable () -> Void) async throws {}
}
