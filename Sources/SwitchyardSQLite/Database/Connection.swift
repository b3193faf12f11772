import CSQLite
import Foundation
import SwitchyardStore

/// One open SQLite connection with a cache of prepared statements.
///
/// Deliberately not Sendable: each connection is confined to one `ConnectionThread` and
/// only lent to `Database.read` / `Database.write` closures, which are `@Sendable` and
/// return `Sendable` values, so the connection cannot escape them.
final class Connection {
    /// The database file.
    let path: String
    private let handle: OpaquePointer
    private var statements: [String: Statement] = [:]
    private var isClosed = false

    /// Opens `path`. The connection runs in SQLite's multi-thread mode (no per-call mutex)
    /// because it is only ever used by one thread at a time.
    init(path: String, readOnly: Bool) throws {
        var handle: OpaquePointer?
        let access = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let code = sqlite3_open_v2(path, &handle, access | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(handle)
            throw StoreError.sqlite(code: code, message: "cannot open \(path): \(message)", sql: nil)
        }
        self.path = path
        self.handle = handle
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit {
        close()
    }

    /// Finalizes the cached statements and closes the connection. Idempotent.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Waits up to `timeout` for locks held by other connections instead of failing with SQLITE_BUSY.
    func setBusyTimeout(_ timeout: Duration) {
        sqlite3_busy_timeout(handle, Int32(clamping: Int64(timeout.milliseconds)))
    }

    /// Runs one or more SQL statements without arguments or results (pragmas, DDL, transactions).
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw StoreError.sqlite(code: code, message: text, sql: sql)
        }
    }

    /// Runs one statement that returns no rows; returns how many rows it changed (meaningful
    /// for INSERT, UPDATE and DELETE).
    @discardableResult
    func run(_ sql: String, _ arguments: [any DatabaseValueConvertible] = []) throws -> Int {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// Runs one query and maps every row of `table` with `transform`.
    func query<T>(
        _ sql: String,
        _ arguments: [any DatabaseValueConvertible] = [],
        table: String,
        _ transform: (Row) throws -> T
    ) throws -> [T] {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        let row = Row(statement: statement, table: table)
        var results: [T] = []
        while try statement.step() {
            results.append(try transform(row))
        }
        return results
    }

    /// Runs one query and maps its first row, or returns `nil` when there is none.
    func queryFirst<T>(
        _ sql: String,
        _ arguments: [any DatabaseValueConvertible] = [],
        table: String,
        _ transform: (Row) throws -> T
    ) throws -> T? {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        guard try statement.step() else { return nil }
        return try transform(Row(statement: statement, table: table))
    }

    /// `true` when a transaction is open.
    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    private func prepared(_ sql: String) throws -> Statement {
        if let statement = statements[sql] { return statement }
        let statement = try Statement(sql: sql, database: handle)
        statements[sql] = statement
        return statement
    }
}
