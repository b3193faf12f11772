extension JSONValue {
    /// Compact JSON text with object members sorted by name, so that the same value always
    /// gives the same bytes (stored write-backs and tests compare them).
    ///
    /// Integral numbers within ±2^53 are written without a fraction (`35436`); non-finite
    /// numbers, which JSON cannot express, are written as `null`.
    public var serialized: [UInt8] {
        var writer = JSONTextWriter()
        write(to: &writer)
        return writer.bytes
    }

    private func write(to writer: inout JSONTextWriter) {
        switch self {
        case .null:
            writer.raw("null")
        case .bool(let bool):
            writer.raw(bool ? "true" : "false")
        case .number(let number):
            if let integer = integerText {
                writer.raw(integer)
            } else if number.isFinite {
                writer.raw("\(number)")
            } else {
                writer.raw("null")
            }
        case .string(let string):
            writer.string(string)
        case .array(let elements):
            writer.raw("[")
            for (offset, element) in elements.enumerated() {
                if offset > 0 { writer.raw(",") }
                element.write(to: &writer)
            }
            writer.raw("]")
        case .object(let members):
            writer.raw("{")
            for (offset, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if offset > 0 { writer.raw(",") }
                writer.string(member.key)
                writer.raw(":")
                member.value.write(to: &writer)
            }
            writer.raw("}")
        }
    }
}
