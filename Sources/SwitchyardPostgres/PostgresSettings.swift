import Foundation

/// Where and how to reach PostgreSQL: `storage.url` and its options.
public struct PostgresSettings: Sendable, Hashable {
    /// How the connection is encrypted, as libpq's `sslmode` names it.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, without checking its certificate; plain otherwise.
        case prefer
        /// TLS always, without checking the certificate.
        case require
        /// TLS always, the certificate checked against the system's (or `ca_file`'s) roots and the host name.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// Connections in the pool, per process.
    public var poolSize: Int
    /// The server cancels any statement that runs longer.
    public var statementTimeout: Duration
    /// Giving up on opening a connection.
    public var connectTimeout: Duration
    public var tls: TLSMode
    /// PEM file of certificate authorities for `verify-full` (nil: the system's).
    public var caFile: String?

    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String, poolSize: Int = 10,
        statementTimeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(5), tls: TLSMode = .prefer,
        caFile: String? = nil
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.statementTimeout = statementTimeout
        self.connectTimeout = connectTimeout
        self.tls = tls
        self.caFile = caFile
    }

    /// Reads `postgres://user:password@host:port/database?sslmode=…`, the form libpq and most
    /// hosting providers hand out; percent-escapes in the user and password are decoded.
    /// `sslmode` in the URL (disable, prefer, require, verify-full) sets `tls`.
    public init(url text: String) throws(PostgresURLError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            ["postgres", "postgresql"].contains(scheme.lowercased())
        else {
            throw PostgresURLError("expected postgres://user:password@host:5432/database, found \(Self.redacted(text))")
        }
        guard let host = components.host, !host.isEmpty else { throw PostgresURLError("the URL names no host") }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresURLError("the URL names no user (postgres://USER:password@host/database)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw PostgresURLError("the URL names no database (postgres://user@host/DATABASE)") }
        self.init(
            host: host, port: components.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 }, database: database)
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                    throw PostgresURLError(
                        "sslmode=\(item.value ?? "") is not supported; use one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = mode
            default:
                throw PostgresURLError("unknown URL parameter \"\(item.name)\"; set pool size, timeouts and TLS under storage")
            }
        }
    }

    /// Host, port and database, for logs and `store check`: never the password.
    public var location: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    /// The URL with any password replaced by `***`.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "(unreadable URL)"
    }
}

/// Why `storage.url` cannot be used.
public struct PostgresURLError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
