package import Foundation
package import SwitchyardCore

/// One result row as an engine reads it, so that the store's values are built from rows in
/// one place for every engine (`TicketRecord(row:)`, `OutboxEntry(row:)`, …).
///
/// Columns are numbered from 0 in the order of the `ColumnList` the query selected. Every read
/// throws `StoreError.corruptRow`, naming the table and column, when the stored value does not
/// fit, instead of trapping or inventing a default.
package protocol StoredRow {
    func string(_ index: Int) throws -> String
    func optionalString(_ index: Int) throws -> String?
    func int(_ index: Int) throws -> Int
    func optionalInt(_ index: Int) throws -> Int?
    func int64(_ index: Int) throws -> Int64
    func optionalInt64(_ index: Int) throws -> Int64?
    func double(_ index: Int) throws -> Double
    func date(_ index: Int) throws -> Date
    func optionalDate(_ index: Int) throws -> Date?
    func data(_ index: Int) throws -> Data
    /// The UTF-8 bytes of a JSON column (selected as text).
    func jsonBytes(_ index: Int) throws -> [UInt8]
    /// A `corruptRow` error for column `index`.
    func corrupt(_ index: Int, _ reason: String) -> StoreError
}

extension StoredRow {
    /// Column `index`, text holding the raw value of `T` (statuses, verdicts).
    package func value<T: RawRepresentable>(_ index: Int, as type: T.Type = T.self) throws -> T where T.RawValue == String {
        let raw = try string(index)
        guard let value = T(rawValue: raw) else { throw corrupt(index, "unknown \(T.self) \"\(raw)\"") }
        return value
    }

    /// Column `index`, optional text holding the raw value of `T`.
    package func optionalValue<T: RawRepresentable>(_ index: Int, as type: T.Type = T.self) throws -> T?
    where T.RawValue == String {
        guard let raw = try optionalString(index) else { return nil }
        guard let value = T(rawValue: raw) else { throw corrupt(index, "unknown \(T.self) \"\(raw)\"") }
        return value
    }

    /// Column `index`, a JSON array of strings (ticket and decision tags).
    package func strings(_ index: Int) throws -> [String] {
        try json(index, StoredJSON.strings)
    }

    /// Column `index`, a JSON object of strings (custom fields, headers).
    package func stringObject(_ index: Int) throws -> [String: String] {
        try json(index, StoredJSON.stringObject)
    }

    /// Column `index`, a decision's provenance.
    package func provenance(_ index: Int) throws -> Provenance {
        try json(index, StoredJSON.provenance)
    }

    private func json<T>(_ index: Int, _ read: ([UInt8]) throws(StoredJSON.Invalid) -> T) throws -> T {
        let bytes = try jsonBytes(index)
        do {
            return try read(bytes)
        } catch {
            throw corrupt(index, error.description)
        }
    }
}
