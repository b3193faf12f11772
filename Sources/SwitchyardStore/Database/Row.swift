import CSQLite
import Foundation
import SwitchyardCore

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

    /// Column `index`, JSON text, decoded as `T`.
    func json<T: Decodable>(_ index: Int32, as type: T.Type = T.self) throws -> T {
        let text: String = try value(index)
        do {
            return try Self.decoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw corrupt(index, "invalid JSON for \(T.self): \(error)")
        }
    }

    /// Shared: decoding with one decoder from several threads is safe.
    private static let decoder = JSONDecoder()

    /// Column `index`, JSON text holding an array of strings (ticket and decision tags).
    ///
    /// Read with the strict JSON parser rather than `JSONDecoder`: every claimed ticket has
    /// its tags and custom fields read, and the decoder's generic machinery dominated claims.
    func strings(_ index: Int32) throws -> [String] {
        guard case .array(let elements) = try jsonValue(index) else {
            throw corrupt(index, "expected a JSON array of strings")
        }
        return try elements.map { element in
            guard case .string(let string) = element else { throw corrupt(index, "expected a JSON array of strings") }
            return string
        }
    }

    /// Column `index`, JSON text holding an object of strings (custom fields, headers).
    func stringObject(_ index: Int32) throws -> [String: String] {
        guard case .object(let members) = try jsonValue(index) else {
            throw corrupt(index, "expected a JSON object of strings")
        }
        return try members.mapValues { value in
            guard case .string(let string) = value else { throw corrupt(index, "expected a JSON object of strings") }
            return string
        }
    }

    /// Column `index`, JSON text, parsed straight from SQLite's bytes.
    private func jsonValue(_ index: Int32) throws -> JSONValue {
        let handle = statement.handle
        guard sqlite3_column_type(handle, index) == SQLITE_TEXT else {
            throw corrupt(index, "expected JSON text, found \(self[index].storageClass)")
        }
        let count = Int(sqlite3_column_bytes(handle, index))
        let bytes = sqlite3_column_text(handle, index).map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw corrupt(index, "invalid JSON: \(error)")
        }
    }

    /// A `corruptRow` error for column `index`.
    func corrupt(_ index: Int32, _ reason: String) -> StoreError {
        .corruptRow(table: table, column: columnName(index), reason: reason)
    }
}
