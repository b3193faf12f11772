/// Hexadecimal digits, both ways: signature headers, digests as text, `\u00XX` escapes and
/// `%XX` URL escapes all use them.
public enum Hex {
    private static let lowercaseDigits: [UInt8] = Array("0123456789abcdef".utf8)
    private static let uppercaseDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// The ASCII digit for the low four bits of `nibble`: `0`–`9`, `a`–`f` (`A`–`F` when `uppercase`).
    public static func digit(_ nibble: UInt8, uppercase: Bool = false) -> UInt8 {
        (uppercase ? uppercaseDigits : lowercaseDigits)[Int(nibble & 0x0F)]
    }

    /// The value of one hex digit in either case, or `nil` for any other byte.
    public static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `bytes` as lower-case hex text, written straight into one string.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
            var index = 0
            for byte in bytes {
                buffer[index] = digit(byte >> 4)
                buffer[index + 1] = digit(byte)
                index += 2
            }
            return index
        }
    }

    /// The bytes hex `text` spells (either case), or `nil` when it is not an even number of hex digits.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(of: digits[index]), let low = value(of: digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
