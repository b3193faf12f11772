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

    /// Column `index`, JSON text holding an array of strings (ticket and decision tags).
    func strings(_ index: Int32) throws -> [String] {
        try json(index, StoredJSON.strings)
    }

    /// Column `index`, JSON text holding an object of strings (custom fields, headers).
    func stringObject(_ index: Int32) throws -> [String: String] {
        try json(index, StoredJSON.stringObject)
    }

    /// Column `index`, a decision's provenance.
    func provenance(_ index: Int32) throws -> Provenance {
        try json(index, StoredJSON.provenance)
    }

    /// Column `index`, JSON text read straight from SQLite's bytes by `read`.
    private func json<T>(_ index: Int32, _ read: ([UInt8]) throws(StoredJSON.Invalid) -> T) throws -> T {
        let handle = statement.handle
        guard sqlite3_column_type(handle, index) == SQLITE_TEXT else {
            throw corrupt(index, "expected JSON text, found \(self[index].storageClass)")
        }
        let count = Int(sqlite3_column_bytes(handle, index))
        let bytes = sqlite3_column_text(handle, index).map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
        do {
            return try read(bytes)
        } catch {
            throw corrupt(index, error.description)
        }
    }

    /// A `corruptRow` error for column `index`.
    func corrupt(_ index: Int32, _ reason: String) -> StoreError {
        .corruptRow(table: table, column: columnName(index), reason: reason)
    }
}
