public import Foundation
import Logging
import PostgresNIO

/// The throw-away PostgreSQL server `scripts/test.sh` starts for the run, and a fresh
/// database on it for each test.
///
/// `SWITCHYARD_TEST_POSTGRES_URL` names the server (a role that may create databases). Without
/// it, tests that need PostgreSQL fail with a message saying how to run them: they never skip.
public enum TestPostgres {
    public struct NotConfigured: Error, CustomStringConvertible {
        public var description: String {
            "PostgreSQL is not configured for the tests: run `bash scripts/test.sh`, which starts a throw-away server, "
                + "or set SWITCHYARD_TEST_POSTGRES_URL=postgres://USER@127.0.0.1:PORT/postgres"
        }
    }

    /// The server's URL, with `postgres` as the database.
    public static func serverURL() throws -> URLComponents {
        guard let text = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES_URL"], !text.isEmpty,
            let components = URLComponents(string: text)
        else { throw NotConfigured() }
        return components
    }

    /// Creates an empty database, runs `body` with its URL, and drops it afterwards (also when
    /// `body` throws).
    public static func withDatabase<R>(_ body: (_ url: String) async throws -> R) async throws -> R {
        let server = try serverURL()
        let name = "switchyard_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await administer("CREATE DATABASE \(name)", on: server)
        var database = server
        database.path = "/" + name
        let url = database.string ?? ""
        do {
            let result = try await body(url)
            try await administer("DROP DATABASE \(name) WITH (FORCE)", on: server)
            return result
        } catch {
            try? await administer("DROP DATABASE \(name) WITH (FORCE)", on: server)
            throw error
        }
    }

    /// Runs one statement that cannot run in a transaction (CREATE/DROP DATABASE) on the server.
    private static func administer(_ sql: String, on server: URLComponents) async throws {
        let configuration = PostgresConnection.Configuration(
            host: server.host ?? "127.0.0.1", port: server.port ?? 5432, username: server.user ?? "postgres",
            password: server.password, database: String(server.path.dropFirst()).isEmpty ? "postgres" : String(server.path.dropFirst()),
            tls: .disable)
        let logger = Logger(label: "switchyard.tests.postgres") { _ in SwiftLogNoOpLogHandler() }
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
