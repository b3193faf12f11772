import CSQLite
import Foundation
import SwitchyardCore
import SwitchyardStore

/// The current row of a statement, lent to a row-mapping closure.
///
/// Typed reads throw `StoreError.corruptRow` naming the table and column when the stored
/// value does not fit the Swift type, instead of trapping or inventing a default.
struct Row {
    /// The table the row is read from, for error messages.
    let table: String
    private let statement: Statement

    init(statement: Statement, table: String) {
        self.statement = statement
        self.table = table
    }

    /// The raw value of column `index` (0-based, in SELECT order).
    subscript(index: Int32) -> DatabaseValue {
        let handle = statement.handle
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT:
            let count = Int(sqlite3_column_bytes(handle, index))
            guard let bytes = sqlite3_column_text(handle, index) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, index))
            guard count > 0, let bytes = sqlite3_column_blob(handle, index) else { return .blob(Data()) }
            return .blob(Data(bytes: bytes, count: count))
        default:
            return .null
        }
    }

    /// The name of column `index` as the query spells it.
    func columnName(_ index: Int32) -> String {
        sqlite3_column_name(statement.handle, index).map { String(cString: $0) } ?? "#\(index)"
    }

    /// Column `index` as `T`; `T` may be optional to accept NULL.
    func value<T: DatabaseValueConvertible>(_ index: Int32, as type: T.Type = T.self) throws -> T {
        let stored = self[index]
        guard let value = T(databaseValue: stored) else {
            throw corrupt(index, "expected \(T.self), found \(stored.storageClass)")
        }
        return value
    }

    /// Column `index` as a `RawRepresentable` enum stored as text.
    func value<T: RawRepresentable>(_ index: Int32, as type: T.Type = T.self) throws -> T where T.RawValue == String {
        let raw: String = try value(index)
        guard let value = T(rawValue: raw) else {
            throw corrupt(index, "unknown \(T.self) \"\(raw)\"")
        }
        return value
    }

    /// A `corruptRow` error for column `index`.
    func corrupt(_ index: Int32, _ reason: String) -> StoreError {
        .corruptRow(table: table, column: columnName(index), reason: reason)
    }
}

/// The store's values are built from SQLite rows by the shared `init(row:)`s.
extension Row: StoredRow {
    func string(_ index: Int) throws -> String { try value(Int32(index)) }
    func optionalString(_ index: Int) throws -> String? { try value(Int32(index)) }
    func int(_ index: Int) throws -> Int { try value(Int32(index)) }
    func optionalInt(_ index: Int) throws -> Int? { try value(Int32(index)) }
    func int64(_ index: Int) throws -> Int64 { try value(Int32(index)) }
    func optionalInt64(_ index: Int) throws -> Int64? { try value(Int32(index)) }
    func double(_ index: Int) throws -> Double { try value(Int32(index)) }
    func date(_ index: Int) throws -> Date { try value(Int32(index)) }
    func optionalDate(_ index: Int) throws -> Date? { try value(Int32(index)) }
    func data(_ index: Int) throws -> Data { try value(Int32(index)) }
    func corrupt(_ index: Int, _ reason: String) -> StoreError { corrupt(Int32(index), reason) }

    /// JSON text read straight from SQLite's bytes.
    func jsonBytes(_ index: Int) throws -> [UInt8] {
        let column = Int32(index)
        let handle = statement.handle
        guard sqlite3_column_type(handle, column) == SQLITE_TEXT else {
            throw corrupt(column, "expected JSON text, found \(self[column].storageClass)")
        }
        let count = Int(sqlite3_column_bytes(handle, column))
        return sqlite3_column_text(handle, column).map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    }
}
