import Foundation
import PostgresNIO
import SwitchyardStore

/// Typed reads of one result row that report a value that does not fit as a corrupt row,
/// naming the table and column, instead of trapping.
struct RowReader {
    let table: String
    private let row: PostgresRandomAccessRow

    init(_ row: PostgresRow, table: String) {
        self.row = row.makeRandomAccess()
        self.table = table
    }

    func value<T: PostgresDecodable>(_ index: Int, as type: T.Type = T.self) throws -> T {
        let cell = row[index]
        do {
            return try cell.decode(T.self)
        } catch {
            throw StoreError.corruptRow(table: table, column: cell.columnName, reason: "expected \(T.self), found \(cell.dataType)")
        }
    }

    func value<T: RawRepresentable>(_ index: Int, as type: T.Type = T.self) throws -> T where T.RawValue == String {
        let raw: String = try value(index)
        guard let value = T(rawValue: raw) else { throw corrupt(index, "unknown \(T.self) \"\(raw)\"") }
        return value
    }

    /// Column `index`, JSON (selected as text), read by `read`.
    func json<T>(_ index: Int, _ read: ([UInt8]) throws(StoredJSON.Invalid) -> T) throws -> T {
        let text: String = try value(index)
        do {
            return try read(Array(text.utf8))
        } catch {
            throw corrupt(index, error.description)
        }
    }

    func corrupt(_ index: Int, _ reason: String) -> StoreError {
        .corruptRow(table: table, column: row[index].columnName, reason: reason)
    }
}
