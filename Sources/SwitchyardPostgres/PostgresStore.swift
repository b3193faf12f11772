public import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
public import SwitchyardCore
public import SwitchyardStore

/// The `TicketStore` for replicas: one PostgreSQL database shared by any number of
/// `switchyard serve` processes.
///
/// Queries go through postgres-nio's pooled `PostgresClient` on the process's NIO event loops
/// (the server's), as named prepared statements. Claims use `FOR UPDATE SKIP LOCKED`, so
/// concurrent claimers in different processes never take the same ticket or write-back; a
/// unique key on (source, idempotency_key) makes a delivery retried against another replica a
/// duplicate. Every write is committed (`synchronous_commit` as the server sets it, `on` by
/// default) before the call returns.
public final class PostgresStore: TicketStore {
    public var engine: String { "postgres" }

    let client: PostgresClient
    let settings: PostgresSettings
    let identifiers: any IdentifierGenerator
    let logger: Logger

    /// The notification channel a queued ticket is announced on.
    static let ticketChannel = "switchyard_tickets"

    private init(client: PostgresClient, settings: PostgresSettings, identifiers: any IdentifierGenerator, logger: Logger) {
        self.client = client
        self.settings = settings
        self.identifiers = identifiers
        self.logger = logger
    }

    /// Connects, migrates (under an advisory lock, so replicas starting together take turns)
    /// and runs `body` with the store; the pool runs for as long as `body` does and is closed
    /// after it returns or throws.
    ///
    /// - Parameter migrate: false to refuse a database whose schema is behind instead of
    ///   migrating it (`switchyard store check`).
    public static func withStore<Result: Sendable>(
        _ settings: PostgresSettings,
        identifiers: any IdentifierGenerator = RandomIdentifierGenerator(),
        migrate: Bool = true,
        logger: Logger = Logger(label: "switchyard.store"),
        _ body: (PostgresStore) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(
            configuration: try clientConfiguration(settings), eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await probe(settings, logger: logger)
            let store = PostgresStore(client: client, settings: settings, identifiers: identifiers, logger: logger)
            if migrate {
                let applied = try await store.migrate()
                logger.info(
                    "Opened store", metadata: ["database": "\(settings.location)", "migrations": "\(applied.count)"])
            }
            return try await body(store)
        }
    }

    /// The pool is closed by `withStore` when its body returns.
    public func close() async throws {}

    /// The TLS settings for `settings.tls`: nil for `disable`; `required` false for `prefer`.
    private static func tlsConfiguration(_ settings: PostgresSettings) throws -> (configuration: TLSConfiguration, required: Bool)? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch settings.tls {
        case .disable:
            return nil
        case .prefer, .require:
            configuration.certificateVerification = .none
            return (configuration, settings.tls == .require)
        case .verifyFull:
            if let caFile = settings.caFile {
                do {
                    configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
                } catch {
                    throw StoreError.invalidLocation(settings.location, reason: "cannot read ca_file \(caFile): \(error)")
                }
            }
            return (configuration, true)
        }
    }

    private static func clientConfiguration(_ settings: PostgresSettings) throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch try tlsConfiguration(settings) {
        case nil: .disable
        case let (configuration, required)?: required ? .require(configuration) : .prefer(configuration)
        }
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: tls)
        configuration.options.maximumConnections = settings.poolSize
        configuration.options.minimumConnections = 0
        configuration.options.connectTimeout = settings.connectTimeout
        configuration.options.additionalStartupParameters = [
            ("application_name", "switchyard"),
            ("statement_timeout", "\(Int64(settings.statementTimeout.milliseconds))"),
        ]
        return configuration
    }

    /// Opens and closes one connection outside the pool, so that an unreachable server, a
    /// refused login or a TLS failure is reported at once with its cause (the pool retries for
    /// about a minute and then reports only that it gave up).
    private static func probe(_ settings: PostgresSettings, logger: Logger) async throws {
        let tls: PostgresConnection.Configuration.TLS
        switch try tlsConfiguration(settings) {
        case nil:
            tls = .disable
        case let (configuration, required)?:
            let context: NIOSSLContext
            do {
                context = try NIOSSLContext(configuration: configuration)
            } catch {
                throw StoreError.invalidLocation(settings.location, reason: "cannot set up TLS: \(error)")
            }
            tls = required ? .require(context) : .prefer(context)
        }
        var configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: tls)
        configuration.options.connectTimeout = .milliseconds(Int64(settings.connectTimeout.milliseconds))
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try await connection.close()
        } catch let error as PSQLError where error.serverInfo != nil {
            throw storeError(error)  // the server answered: a refused login, an unknown database
        } catch {
            throw StoreError.unavailable("PostgreSQL", "cannot connect to \(settings.host):\(settings.port): \(connectionDetail(error))")
        }
    }

    // MARK: Running statements

    /// Runs `body` on a pooled connection; errors become `StoreError`s.
    @discardableResult
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await withinDeadline {
            try await self.client.withConnection { connection in try await body(connection) }
        }
    }

    /// Runs `body` in one transaction on a pooled connection: committed when it returns,
    /// rolled back when it throws.
    @discardableResult
    func withTransaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await withinDeadline {
            try await self.client.withConnection { connection in
                try await connection.query("BEGIN", logger: self.logger)
                do {
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: self.logger)
                    return value
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: self.logger)
                    throw error
                }
            }
        }
    }

    /// How long one store call may take: getting a connection, then its statements. While the
    /// server is down the pool keeps trying to connect for about a minute; a webhook must be
    /// answered `503` long before the platform gives up on it.
    var operationDeadline: Duration { settings.connectTimeout + settings.statementTimeout }

    /// Runs `operation`, or throws `unavailable` once `operationDeadline` has passed. The
    /// operation is cancelled then (a waiting connection request is withdrawn, a running
    /// statement is cancelled by the pool) but not waited for: the caller (a webhook, a
    /// heartbeat) has its answer at the deadline. Errors become `StoreError`s.
    private func withinDeadline<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let deadline = operationDeadline
        do {
            return try await withDeadline(until: .now + deadline, operation)
        } catch is DeadlineExceeded {
            throw StoreError.unavailable(
                "PostgreSQL", "no answer within \(deadline.formatted) (storage.connect_timeout + storage.statement_timeout)")
        } catch {
            throw Self.storeError(error)
        }
    }

    /// `error` as the store reports it: the server's SQLSTATE, message and detail, or why the
    /// server could not be reached; a `StoreError` passes through unchanged.
    static func storeError(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? PSQLError {
            if let server = error.serverInfo {
                let state = server[.sqlState] ?? "?"
                var detail = "\(state) \(server[.message] ?? "")"
                if let more = server[.detail] { detail += " (\(more))" }
                // 08: connection exceptions, 57P01-03: the server is shutting down, 53: out of resources.
                let unreachable = state.hasPrefix("08") || state.hasPrefix("57P0") || state.hasPrefix("53") || state.hasPrefix("28")
                return unreachable
                    ? .unavailable("PostgreSQL", detail)
                    : .database("PostgreSQL", detail, statement: error.query.map { Self.summary(of: $0.sql) })
            }
            return .unavailable("PostgreSQL", connectionDetail(error))
        }
        if let error = error as? PostgresDecodingError {
            return .corruptRow(table: "?", column: error.columnName, reason: "\(error.code) decoding \(error.targetType)")
        }
        if String(reflecting: type(of: error)).contains("ConnectionPoolError") {
            // The pool gave up opening connections; its error does not carry the cause.
            return .unavailable(
                "PostgreSQL", "no connection could be opened: the server refused, is unreachable, rejected the login, "
                    + "or did not answer within storage.connect_timeout (\(error))")
        }
        return .unavailable("PostgreSQL", "\(error)")
    }

    /// Why a connection failed, as postgres-nio and NIO report it (refused, timed out, TLS).
    private static func connectionDetail(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
    }

    /// The first line of a statement, enough to tell which one failed.
    private static func summary(of sql: String) -> String {
        let line = sql.split(separator: "\n").first.map(String.init) ?? sql
        return line.trimmingCharacters(in: .whitespaces)
    }
}
