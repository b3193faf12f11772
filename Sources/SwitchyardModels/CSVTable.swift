public import Foundation

/// A CSV file as a header and rows of the same width: the one way Switchyard reads CSV
/// (training data, labelled tickets, `switchyard batch` input). RFC 4180, UTF-8, a byte order
/// mark ignored, blank lines skipped.
public struct CSVTable: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        /// The 1-based line the row starts on.
        public var line: Int
        public var fields: [String]
    }

    /// Column names as written, trimmed.
    public let header: [String]
    public let rows: [Row]
    /// The line the header is on.
    public let headerLine: Int

    /// Reads the CSV file at `url`; errors name its last path component.
    public static func load(_ url: URL) throws(TrainingSetError) -> CSVTable {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TrainingSetError(file: url.lastPathComponent, problem: .unreadable(error.localizedDescription))
        }
        return try parse(data, file: url.lastPathComponent)
    }

    /// Reads CSV content; `file` names the source in errors.
    public static func parse(_ data: Data, file: String) throws(TrainingSetError) -> CSVTable {
        var bytes = data[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            bytes = bytes.dropFirst(3)
        }
        let records: [CSVRecord]
        do {
            records = try CSVReader.records(in: bytes)
        } catch {
            throw TrainingSetError(file: file, line: error.line, column: error.column, problem: error.problem)
        }
        guard let header = records.first else {
            throw TrainingSetError(file: file, line: 1, problem: .missingHeader)
        }
        var rows: [Row] = []
        rows.reserveCapacity(records.count - 1)
        for record in records.dropFirst() {
            guard record.fields.count == header.fields.count else {
                throw TrainingSetError(
                    file: file, line: record.line,
                    problem: .wrongFieldCount(expected: header.fields.count, found: record.fields.count))
            }
            rows.append(Row(line: record.line, fields: record.fields))
        }
        return CSVTable(header: header.fields.map { $0.trimmingCharacters(in: .whitespaces) }, rows: rows, headerLine: header.line)
    }

    init(header: [String], rows: [Row], headerLine: Int) {
        self.header = header
        self.rows = rows
        self.headerLine = headerLine
    }

    /// The index of the column named `name` (case-insensitively), or nil.
    public func column(_ name: String) -> Int? {
        header.firstIndex { $0.lowercased() == name.lowercased() }
    }

    /// The index of the column named `name`, or ``TrainingSetError/Problem/missingColumn(_:)``
    /// at the header's line.
    public func requiredColumn(_ name: String, file: String) throws(TrainingSetError) -> Int {
        guard let index = column(name) else {
            throw TrainingSetError(file: file, line: headerLine, problem: .missingColumn(name))
        }
        return index
    }

    /// `field` quoted for a CSV file: in `"`, with `""` for each quote.
    public static func quoted(_ field: String) -> String {
        "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
