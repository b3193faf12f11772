public import Logging
public import SwitchyardCore
import SwitchyardPostgres
import SwitchyardSQLite
public import SwitchyardStore

extension Configuration.StorageSettings {
    /// Opens the configured store (migrating it), runs `body` with it, and closes it after
    /// `body` returns or throws.
    ///
    /// - Parameters:
    ///   - migrate: false to leave a PostgreSQL schema as it is (`store check`); SQLite,
    ///     embedded, always migrates.
    ///   - readOnly: true to read beside a running server (`rules explain`, `rules replay`):
    ///     a SQLite file is opened without its lock and without migrating, a PostgreSQL
    ///     database without migrating; writes throw `StoreError.readOnly` on SQLite.
    public func withStore<Result: Sendable>(
        identifiers: any IdentifierGenerator = RandomIdentifierGenerator(),
        migrate: Bool = true,
        readOnly: Bool = false,
        logger: Logger,
        _ body: (any TicketStore) async throws -> Result
    ) async throws -> Result {
        switch engine {
        case .sqlite:
            return try await SQLiteStore.withStore(path: path, readOnly: readOnly, identifiers: identifiers, logger: logger, body)
        case .postgres:
            guard let postgres else { throw StoreError.invalidLocation("postgres", reason: "storage.url is not set") }
            return try await PostgresStore.withStore(
                postgres, identifiers: identifiers, migrate: migrate && !readOnly, logger: logger, body)
        }
    }

    /// Where the store is, for logs: the file, or the server and database without a password.
    public var location: String {
        switch engine {
        case .sqlite: path
        case .postgres: postgres?.location ?? "postgres"
        }
    }
}
