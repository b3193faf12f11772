/// A strict RFC 8259 JSON reader that says where a document is wrong.
///
/// Foundation's `JSONDecoder` on Linux reports only "not valid JSON"; platforms' payloads are
/// debugged from our error messages, so this reader gives line, column and byte offset. It also
/// rejects what a lenient reader would let through ambiguously: duplicate member names, lone
/// surrogates, invalid UTF-8, and nesting deeper than ``maximumDepth``.
struct JSONParser {
    /// Deeper documents are refused so that a hostile body cannot exhaust the stack.
    static let maximumDepth = 256

    private let bytes: [UInt8]
    private var position: Int
    private var depth = 0

    private init(bytes: [UInt8]) {
        self.bytes = bytes
        // A UTF-8 byte order mark is not JSON, but RFC 8259 allows a reader to ignore it.
        self.position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// Reads one JSON document that fills `bytes` (surrounding whitespace aside).
    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        guard parser.position < bytes.count else {
            throw parser.error("the body is empty; expected a JSON value")
        }
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.position == bytes.count else {
            throw parser.error("unexpected \(parser.describeCurrent()) after the end of the JSON value")
        }
        return value
    }

    // MARK: Values

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard let byte = current else { throw error("unexpected end of input; expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw error("unexpected \(describeCurrent()); expected a value")
        }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        try enterContainer()
        position += 1  // {
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            leaveContainer()
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else {
                throw error("unexpected \(describeCurrent()); expected a member name in double quotes")
            }
            let nameOffset = position
            let name = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else {
                throw error("unexpected \(describeCurrent()); expected \":\" after a member name")
            }
            position += 1
            skipWhitespace()
            let value = try parseValue()
            if members.updateValue(value, forKey: name) != nil {
                throw JSONSyntaxError(
                    bytes: bytes, offset: nameOffset, message: "duplicate member name \(Self.quoted(name))")
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "}"):
                leaveContainer()
                return .object(members)
            default:
                throw error("unexpected \(describeCurrent()); expected \",\" or \"}\" after an object member")
            }
        }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        try enterContainer()
        position += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            leaveContainer()
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "]"):
                leaveContainer()
                return .array(elements)
            default:
                throw error("unexpected \(describeCurrent()); expected \",\" or \"]\" after an array element")
            }
        }
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let start = position
        // Most strings have no escapes: scan to the closing quote and decode the bytes in
        // place. ASCII needs no validation; anything else is validated by the decoder.
        var end = start + 1
        var isASCII = true
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            isASCII = isASCII && byte < 0x80
            end += 1
        }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else {
            return try parseEscapedString()
        }
        let string = try Self.decodeUTF8(bytes[(start + 1)..<end], isASCII: isASCII, stringStart: start, in: bytes)
        position = end + 1
        return string
    }

    /// The slow path for strings with escapes: unescape into a buffer, then decode it.
    private mutating func parseEscapedString() throws(JSONSyntaxError) -> String {
        let start = position
        position += 1  // opening quote
        var buffer: [UInt8] = []
        var isASCII = true
        while true {
            guard let byte = current else {
                throw JSONSyntaxError(bytes: bytes, offset: start, message: "unterminated string")
            }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return try Self.decodeUTF8(buffer[...], isASCII: isASCII, stringStart: start, in: bytes)
            case UInt8(ascii: "\\"):
                position += 1
                try parseEscape(into: &buffer)
                isASCII = isASCII && buffer.last.map { $0 < 0x80 } ?? true
            case 0x00..<0x20:
                throw error("control character \(Self.hex(byte)) in a string; it must be escaped")
            default:
                isASCII = isASCII && byte < 0x80
                buffer.append(byte)
                position += 1
            }
        }
    }

    /// `utf8` as a string. ASCII is taken as is; other bytes must be valid UTF-8, which is
    /// checked by decoding (repairing) and comparing: a repaired string differs from its bytes.
    private static func decodeUTF8(
        _ utf8: ArraySlice<UInt8>, isASCII: Bool, stringStart: Int, in bytes: [UInt8]
    ) throws(JSONSyntaxError) -> String {
        let string = utf8.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
        if !isASCII && !string.utf8.elementsEqual(utf8) {
            throw JSONSyntaxError(bytes: bytes, offset: stringStart, message: "string is not valid UTF-8")
        }
        return string
    }

    private mutating func parseEscape(into buffer: inout [UInt8]) throws(JSONSyntaxError) {
        guard let byte = current else { throw error("unexpected end of input in an escape sequence") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let escapeStart = position - 2
            var value = try parseHexQuad()
            if (0xD800...0xDBFF).contains(value) {
                guard current == UInt8(ascii: "\\"), position + 1 < bytes.count,
                    bytes[position + 1] == UInt8(ascii: "u")
                else {
                    throw JSONSyntaxError(
                        bytes: bytes, offset: escapeStart, message: "high surrogate without a following low surrogate")
                }
                position += 2
                let low = try parseHexQuad()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONSyntaxError(
                        bytes: bytes, offset: escapeStart, message: "high surrogate without a following low surrogate")
                }
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(value) {
                throw JSONSyntaxError(
                    bytes: bytes, offset: escapeStart, message: "low surrogate without a preceding high surrogate")
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw JSONSyntaxError(bytes: bytes, offset: escapeStart, message: "invalid Unicode escape")
            }
            UTF8.encode(scalar) { buffer.append($0) }
        default:
            position -= 2  // report at the backslash
            throw error(
                "invalid escape \"\\\(Self.printable(byte))\"; valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"
            )
        }
    }

    private mutating func parseHexQuad() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current, let digit = Hex.value(of: byte) else {
                throw error("expected four hexadecimal digits after \\u")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, Self.isDigit(first) else { throw error("expected a digit after \"-\"") }
        position += 1
        if first == UInt8(ascii: "0"), let next = current, Self.isDigit(next) {
            throw error("numbers must not have leading zeros")
        }
        skipDigits()
        if current == UInt8(ascii: ".") {
            position += 1
            guard let digit = current, Self.isDigit(digit) else {
                throw error("expected a digit after the decimal point")
            }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let digit = current, Self.isDigit(digit) else { throw error("expected a digit in the exponent") }
            skipDigits()
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let number = Double(text), number.isFinite else {
            throw JSONSyntaxError(bytes: bytes, offset: start, message: "number \(text.prefix(40)) is out of range")
        }
        return .number(number)
    }

    // MARK: Helpers

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func enterContainer() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw error("nesting deeper than \(Self.maximumDepth) levels")
        }
    }

    /// Steps over the closing `}` or `]`.
    private mutating func leaveContainer() {
        position += 1
        depth -= 1
    }

    private mutating func expectLiteral(_ literal: String) throws(JSONSyntaxError) {
        let expected = literal.utf8
        guard bytes[position...].starts(with: expected) else {
            throw error("unexpected \(describeCurrent()); expected a value (did you mean \(literal)?)")
        }
        position += expected.count
    }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            position += 1
        }
    }

    private mutating func skipDigits() {
        while let byte = current, Self.isDigit(byte) { position += 1 }
    }

    private func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(bytes: bytes, offset: position, message: message)
    }

    private func describeCurrent() -> String {
        guard let byte = current else { return "end of input" }
        if (0x21...0x7E).contains(byte) { return "\"\(Self.printable(byte))\"" }
        return "byte \(Self.hex(byte))"
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func printable(_ byte: UInt8) -> String { String(UnicodeScalar(byte)) }

    private static func hex(_ byte: UInt8) -> String {
        "0x" + String(decoding: [Hex.digit(byte >> 4, uppercase: true), Hex.digit(byte, uppercase: true)], as: UTF8.self)
    }

    /// A member name for an error message: quoted, and cut short so a hostile body cannot
    /// flood the logs.
    private static func quoted(_ name: String) -> String {
        name.count > 40 ? "\"\(name.prefix(40))…\"" : "\"\(name)\""
    }
}

/// Where a JSON document stops being valid, and why.
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    /// One-based line and column (columns count characters, not bytes).
    public var line: Int
    public var column: Int
    /// Zero-based byte offset into the document.
    public var offset: Int
    public var message: String

    init(bytes: [UInt8], offset: Int, message: String) {
        var line = 1
        var column = 1
        for byte in bytes[..<min(offset, bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {  // not a UTF-8 continuation byte
                column += 1
            }
        }
        self.line = line
        self.column = column
        self.offset = offset
        self.message = message
    }

    public var description: String { "line \(line), column \(column) (byte \(offset)): \(message)" }
}

extension JSONValue {
    /// Parses one JSON document (RFC 8259, strictly: see ``JSONParser``).
    ///
    /// - Throws: ``JSONSyntaxError`` saying where the document is wrong and why.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try JSONParser.parse(bytes)
    }
}
