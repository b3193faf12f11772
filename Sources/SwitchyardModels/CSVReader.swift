/// One CSV record and the line of the file it starts on.
struct CSVRecord: Sendable, Hashable {
    var fields: [String]
    /// 1-based line on which the record starts.
    var line: Int
}

/// A strict RFC 4180 reader: comma separated fields, CRLF or LF line ends, fields quoted
/// with `"` may contain commas, line breaks and `""` for a literal quote.
///
/// Completely empty lines are skipped. Syntax errors name the line and column (counted in
/// characters, 1-based) where the problem is.
struct CSVReader {
    struct SyntaxError: Error, Hashable {
        var problem: TrainingSetError.Problem
        var line: Int
        var column: Int?
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let lineFeed = UInt8(ascii: "\n")

    static func records(in bytes: some Collection<UInt8>) throws(SyntaxError) -> [CSVRecord] {
        let bytes = Array(bytes)
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var fieldIsQuoted = false
        var afterClosingQuote = false
        var inQuotes = false
        var quoteStart = (line: 1, column: 1)
        var line = 1
        var column = 1
        var recordLine = 1

        func endField() throws(SyntaxError) {
            guard let text = String(validating: field, as: UTF8.self) else {
                throw SyntaxError(problem: .invalidUTF8, line: recordLine, column: nil)
            }
            fields.append(text)
            field.removeAll(keepingCapacity: true)
            fieldIsQuoted = false
            afterClosingQuote = false
        }

        func endRecord() {
            // A blank line is one empty, unquoted field: skip it rather than report a field count.
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(CSVRecord(fields: fields, line: recordLine))
            }
            fields.removeAll(keepingCapacity: true)
        }

        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inQuotes {
                switch byte {
                case quote where index < bytes.count && bytes[index] == quote:
                    field.append(quote)
                    index += 1
                    column += 2
                case quote:
                    inQuotes = false
                    afterClosingQuote = true
                    column += 1
                case carriageReturn, lineFeed:
                    field.append(byte)
                    if byte == carriageReturn, index < bytes.count, bytes[index] == lineFeed {
                        field.append(lineFeed)
                        index += 1
                    }
                    line += 1
                    column = 1
                default:
                    field.append(byte)
                    if byte & 0xC0 != 0x80 { column += 1 }
                }
                continue
            }
            switch byte {
            case comma:
                try endField()
                column += 1
            case carriageReturn, lineFeed:
                try endField()
                endRecord()
                if byte == carriageReturn, index < bytes.count, bytes[index] == lineFeed {
                    index += 1
                }
                line += 1
                column = 1
                recordLine = line
            case quote:
                guard field.isEmpty, !fieldIsQuoted else {
                    throw SyntaxError(problem: .unexpectedQuote, line: line, column: column)
                }
                inQuotes = true
                fieldIsQuoted = true
                quoteStart = (line, column)
                column += 1
            default:
                if afterClosingQuote {
                    throw SyntaxError(problem: .textAfterClosingQuote, line: line, column: column)
                }
                field.append(byte)
                if byte & 0xC0 != 0x80 { column += 1 }
            }
        }
        if inQuotes {
            throw SyntaxError(problem: .unterminatedQuote, line: quoteStart.line, column: quoteStart.column)
        }
        if !field.isEmpty || fieldIsQuoted || !fields.isEmpty {
            try endField()
            endRecord()
        }
        return records
    }
}
