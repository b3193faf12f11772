public import Foundation

/// Labelled examples for the embedded local model, read from CSV files.
public enum TrainingSet {
    /// Reads labelled examples from an RFC 4180 CSV file.
    ///
    /// The first row is a header naming the columns; the text column (`text` unless
    /// `textColumn` says otherwise) and the label column (`department` unless `labelColumn`
    /// says otherwise) are required, in any order (names are matched case-insensitively);
    /// other columns are ignored. Fields
    /// may be quoted, contain commas and line breaks, and use `""` for a literal quote; lines
    /// may end in CRLF or LF; a UTF-8 byte order mark is ignored; blank lines are skipped.
    ///
    /// - Throws: ``TrainingSetError`` naming the file, line and what is wrong.
    public static func loadCSV(
        _ url: URL, textColumn: String = "text", labelColumn: String = "department"
    ) throws(TrainingSetError) -> [LabeledText] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TrainingSetError(file: url.lastPathComponent, problem: .unreadable(error.localizedDescription))
        }
        return try parseCSV(data, file: url.lastPathComponent, textColumn: textColumn, labelColumn: labelColumn)
    }

    /// Reads labelled examples from CSV content, as ``loadCSV(_:)`` does for a file.
    ///
    /// - Parameter file: How to name the source in errors.
    public static func parseCSV(
        _ data: Data, file: String, textColumn textName: String = "text", labelColumn labelName: String = "department"
    ) throws(TrainingSetError) -> [LabeledText] {
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
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let textColumn = columns.firstIndex(of: textName.lowercased()) else {
            throw TrainingSetError(file: file, line: header.line, problem: .missingColumn(textName))
        }
        guard let labelColumn = columns.firstIndex(of: labelName.lowercased()) else {
            throw TrainingSetError(file: file, line: header.line, problem: .missingColumn(labelName))
        }

        var examples: [LabeledText] = []
        examples.reserveCapacity(records.count - 1)
        for record in records.dropFirst() {
            guard record.fields.count == columns.count else {
                throw TrainingSetError(
                    file: file,
                    line: record.line,
                    problem: .wrongFieldCount(expected: columns.count, found: record.fields.count)
                )
            }
            let label = record.fields[labelColumn].trimmingCharacters(in: .whitespaces)
            guard !label.isEmpty else {
                throw TrainingSetError(file: file, line: record.line, problem: .emptyLabel)
            }
            let text = record.fields[textColumn]
            guard !text.allSatisfy(\.isWhitespace) else {
                throw TrainingSetError(file: file, line: record.line, problem: .emptyText)
            }
            examples.append(LabeledText(text: text, label: .init(label)))
        }
        return examples
    }

    /// `examples` as CSV that ``parseCSV(_:file:textColumn:labelColumn:)`` reads back: a header
    /// of the two columns, then one row per example, every field quoted (`""` for a quote).
    public static func csv(
        _ examples: [LabeledText], textColumn: String = "text", labelColumn: String = "department"
    ) -> Data {
        func quoted(_ field: String) -> String { "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var text = quoted(textColumn) + "," + quoted(labelColumn) + "\n"
        for example in examples {
            text += quoted(example.text) + "," + quoted(example.label.rawValue) + "\n"
        }
        return Data(text.utf8)
    }
}
