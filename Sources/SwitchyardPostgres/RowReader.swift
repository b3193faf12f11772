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

    func corrupt(_ index: Int, _ reason: String) -> StoreError {
        .corruptRow(table: table, column: row[index].columnName, reason: reason)
    }
}

/// The store's values are built from PostgreSQL rows by the shared `init(row:)`s.
extension RowReader: StoredRow {
    func string(_ index: Int) throws -> String { try value(index) }
    func optionalString(_ index: Int) throws -> String? { try value(index) }
    func int(_ index: Int) throws -> Int { try value(index) }
    func optionalInt(_ index: Int) throws -> Int? { try value(index) }
    func int64(_ index: Int) throws -> Int64 { try value(index) }
    func optionalInt64(_ index: Int) throws -> Int64? { try value(index) }
    func double(_ index: Int) throws -> Double { try value(index) }
    func date(_ index: Int) throws -> Date { try value(index) }
    func optionalDate(_ index: Int) throws -> Date? { try value(index) }
    func data(_ index: Int) throws -> Data { try value(index) }
    func jsonBytes(_ index: Int) throws -> [UInt8] { Array(try string(index).utf8) }
}

extension ColumnList {
    /// The SELECT or RETURNING list for PostgreSQL: JSON columns read as text.
    func postgres(prefix: String = "") -> String {
        list(prefix: prefix) { "\($0)::text" }
    }
}
