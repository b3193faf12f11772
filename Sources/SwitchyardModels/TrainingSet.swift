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
        let table = try CSVTable.parse(data, file: file)
        let textColumn = try table.requiredColumn(textName, file: file)
        let labelColumn = try table.requiredColumn(labelName, file: file)
        var examples: [LabeledText] = []
        examples.reserveCapacity(table.rows.count)
        for record in table.rows {
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
        var text = CSVTable.quoted(textColumn) + "," + CSVTable.quoted(labelColumn) + "\n"
        for example in examples {
            text += CSVTable.quoted(example.text) + "," + CSVTable.quoted(example.label.rawValue) + "\n"
        }
        return Data(text.utf8)
    }
}
