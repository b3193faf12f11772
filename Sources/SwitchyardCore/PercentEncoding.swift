/// Percent-encoding (RFC 3986 §2.1), one way for the whole project: write-back URL segments
/// and `application/x-www-form-urlencoded` bodies (OAuth token requests) both use it.
public enum PercentEncoding {
    /// `text` with RFC 3986's unreserved characters (letters, digits, `-._~`) as they are and
    /// every other UTF-8 byte as `%XX`: safe as one URL path segment, a query value or a form
    /// field, whatever it contains (`/`, `&`, `=`, `+`, spaces).
    public static func escapingAllButUnreserved(_ text: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(UnicodeScalar(byte))
            default:
                encoded.unicodeScalars.append("%")
                encoded.unicodeScalars.append(UnicodeScalar(Hex.digit(byte >> 4, uppercase: true)))
                encoded.unicodeScalars.append(UnicodeScalar(Hex.digit(byte, uppercase: true)))
            }
        }
        return encoded
    }

    /// `fields` as an `application/x-www-form-urlencoded` body, in the order given.
    public static func formBody(_ fields: [(name: String, value: String)]) -> String {
        fields.map { escapingAllButUnreserved($0.name) + "=" + escapingAllButUnreserved($0.value) }.joined(separator: "&")
    }
}
