import CSQLite
import SwitchyardStore

extension StoreError {
    /// SQLite refused a call: its (extended) result code, its name and message, and the
    /// statement (never its arguments).
    static func sqlite(code: Int32, message: String, sql: String?) -> StoreError {
        let name = String(cString: sqlite3_errstr(code))
        let kind: StoreError.Code = switch code & 0xFF {
        case SQLITE_CANTOPEN, SQLITE_NOTADB: .unavailable
        default: .database
        }
        return StoreError(
            code: kind, message: "SQLite error \(code) (\(name)): \(message)" + (sql.map { " (in: \($0))" } ?? ""))
    }
}
