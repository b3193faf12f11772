/// Writes compact JSON text straight into bytes, for the small shapes written on every
/// webhook (ticket tags and custom fields, intake answers).
///
/// Foundation's `JSONEncoder` goes through `Encodable`'s generic, reflective machinery; on
/// the intake path that cost more than storing the ticket. Output is stable for equal values:
/// object members sorted by name (code-unit order), `/` unescaped, control characters as
/// `\n`, `\u001f`, …; any JSON reader reads it back.
public struct JSONTextWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 64) {
        bytes.reserveCapacity(capacity)
    }

    /// The text written so far.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends `text` as it is (punctuation, literals, numbers already in JSON form).
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends `text` as it is (already valid JSON).
    public mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends `json`, JSON text written elsewhere, as it is.
    public mutating func raw(json: some Collection<UInt8>) {
        bytes.append(contentsOf: json)
    }

    /// Appends a quoted, escaped JSON string.
    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw(#"\""#)
            case UInt8(ascii: "\\"): raw(#"\\"#)
            case 0x0A: raw(#"\n"#)
            case 0x0D: raw(#"\r"#)
            case 0x09: raw(#"\t"#)
            case 0x08: raw(#"\b"#)
            case 0x0C: raw(#"\f"#)
            case 0x00..<0x20:
                raw(#"\u00"#)
                bytes.append(Hex.digit(byte >> 4))
                bytes.append(Hex.digit(byte))
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends an array of strings: `["a","b"]`.
    public mutating func strings(_ values: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (offset, value) in values.enumerated() {
            if offset > 0 { bytes.append(UInt8(ascii: ",")) }
            string(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Appends an object of strings with its members sorted by name: `{"a":"1","b":"2"}`.
    public mutating func object(_ members: [String: String]) {
        bytes.append(UInt8(ascii: "{"))
        for (offset, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
            if offset > 0 { bytes.append(UInt8(ascii: ",")) }
            string(member.key)
            bytes.append(UInt8(ascii: ":"))
            string(member.value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Starts an object whose members are written with ``member(_:)``.
    public mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
    }

    /// Starts a member of the current object: the comma when one is due, then `"name":`.
    /// Its value is written next (``string(_:)``, ``raw(_:)``, ``beginObject()``, …).
    public mutating func member(_ name: StaticString) {
        separate(after: UInt8(ascii: "{"))
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        raw("\":")
    }

    /// Ends the current object.
    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
    }

    /// Starts an array whose elements are each introduced by ``element()``.
    public mutating func beginArray() {
        bytes.append(UInt8(ascii: "["))
    }

    /// Starts an element of the current array: the comma when one is due. Its value is
    /// written next.
    public mutating func element() {
        separate(after: UInt8(ascii: "["))
    }

    /// Ends the current array.
    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
    }

    /// A comma, unless the container just opened (`opening` is the last byte written).
    private mutating func separate(after opening: UInt8) {
        if let last = bytes.last, last != opening { bytes.append(UInt8(ascii: ",")) }
    }

    /// `[String]` as JSON text.
    public static func text(of values: [String]) -> String {
        var writer = JSONTextWriter()
        writer.strings(values)
        return writer.text
    }

    /// `[String: String]` as JSON text, members sorted by name.
    public static func text(of members: [String: String]) -> String {
        var writer = JSONTextWriter()
        writer.object(members)
        return writer.text
    }
}
