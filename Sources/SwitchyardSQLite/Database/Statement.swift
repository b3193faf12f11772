import CSQLite
import Foundation
import SwitchyardStore

/// A prepared statement, owned and cached by its `Connection`.
///
/// Not Sendable: it is only used on its connection's thread.
final class Statement {
    let sql: String
    let handle: OpaquePointer

    init(sql: String, database: OpaquePointer) throws {
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(database, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK, let handle else {
            sqlite3_finalize(handle)
            throw StoreError.sqlite(code: code, message: String(cString: sqlite3_errmsg(database)), sql: sql)
        }
        self.sql = sql
        self.handle = handle
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds `arguments` to the parameters `?1…?n`, replacing earlier bindings.
    func bind(_ arguments: [any DatabaseValueConvertible]) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard arguments.count == expected else {
            throw StoreError.sqlite(
                code: SQLITE_RANGE,
                message: "\(arguments.count) arguments given for \(expected) parameters",
                sql: sql
            )
        }
        for (offset, argument) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch argument.databaseValue {
            case .null:
                code = sqlite3_bind_null(handle, index)
            case .integer(let integer):
                code = sqlite3_bind_int64(handle, index, integer)
            case .real(let real):
                code = sqlite3_bind_double(handle, index, real)
            case .text(var text):
                // Length-delimited so that text with NUL characters survives intact.
                code = text.withUTF8 { bytes in
                    bytes.withMemoryRebound(to: CChar.self) { characters in
                        if let start = characters.baseAddress {
                            sqlite3_bind_text(handle, index, start, Int32(characters.count), csqlite_transient())
                        } else {
                            sqlite3_bind_text(handle, index, "", 0, csqlite_transient())
                        }
                    }
                }
            case .blob(let data):
                if data.isEmpty {
                    // A NULL pointer would bind NULL, not an empty blob.
                    code = sqlite3_bind_zeroblob(handle, index, 0)
                } else {
                    code = data.withUnsafeBytes { bytes in
                        sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), csqlite_transient())
                    }
                }
            }
            guard code == SQLITE_OK else { throw error(code) }
        }
    }

    /// Advances to the next row: `true` if there is one, `false` when done.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw error(code)
        }
    }

    /// Ends the current execution so the statement can be reused (and releases its read lock).
    func reset() {
        sqlite3_reset(handle)
    }

    private func error(_ code: Int32) -> StoreError {
        .sqlite(code: code, message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))), sql: sql)
    }
}
