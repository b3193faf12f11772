/// Why a training set could not be read, with the file, line and column where it went wrong.
public struct TrainingSetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong.
    public enum Problem: Sendable, Hashable {
        /// The file could not be read at all.
        case unreadable(String)
        /// The file has no header row.
        case missingHeader
        /// The header lacks a required column (the text or label column, `text` and `department` by default).
        case missingColumn(String)
        /// A record has a different number of fields than the header.
        case wrongFieldCount(expected: Int, found: Int)
        /// A record's label is empty.
        case emptyLabel
        /// A record's text is empty.
        case emptyText
        /// A quoted field is never closed.
        case unterminatedQuote
        /// A `"` appears inside an unquoted field.
        case unexpectedQuote
        /// Characters follow a closing `"` before the next comma or line end.
        case textAfterClosingQuote
        /// A field is not valid UTF-8.
        case invalidUTF8
    }

    /// The file as given to the loader (its last path component for URLs).
    public var file: String
    /// 1-based line, when the problem is at a place in the file.
    public var line: Int?
    /// 1-based column in characters, when known.
    public var column: Int?
    public var problem: Problem

    public init(file: String, line: Int? = nil, column: Int? = nil, problem: Problem) {
        self.file = file
        self.line = line
        self.column = column
        self.problem = problem
    }

    /// `tickets.csv:12:7: unexpected quote in an unquoted field; …what to do`.
    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        return "\(place): \(explanation)"
    }

    private var explanation: String {
        switch problem {
        case .unreadable(let reason):
            "cannot read the file (\(reason)); check the path and permissions"
        case .missingHeader:
            "no header row; the first line must name the columns, including the text and label columns (`text` and `department`)"
        case .missingColumn(let name):
            "the header has no `\(name)` column; add it (columns may come in any order)"
        case .wrongFieldCount(let expected, let found):
            "expected \(expected) fields as in the header, found \(found); quote fields that contain commas"
        case .emptyLabel:
            "the label field is empty; give every example its department"
        case .emptyText:
            "the text field is empty; remove the row or give it the ticket text"
        case .unterminatedQuote:
            "a quoted field starting here is never closed; add the closing `\"`"
        case .unexpectedQuote:
            "unexpected `\"` in an unquoted field; quote the whole field and write `\"\"` for a literal quote"
        case .textAfterClosingQuote:
            "characters after a closing `\"`; the field must end at the quote (write `\"\"` for a literal quote)"
        case .invalidUTF8:
            "the record is not valid UTF-8; save the file as UTF-8"
        }
    }
}
