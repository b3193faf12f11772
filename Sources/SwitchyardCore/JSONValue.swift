/// A JSON value: a platform's payload, a write-back body, a stored list of tags.
///
/// Numbers are `Double`s: integers of magnitude below 2^53 are exact, and ``integerText``
/// renders them as `123`, never `123.0`. Beyond that two integers can read as one Double
/// (2^53 + 1 reads as 2^53), so no integer text is given there.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The largest integer magnitude whose JSON text no other integer shares once read as a
    /// `Double` (2^53 − 1, JavaScript's `Number.MAX_SAFE_INTEGER`).
    static let exactIntegerLimit: Double = 9_007_199_254_740_991

    /// The decimal text of an integral number within ±(2^53 − 1) (`"35436"`), otherwise `nil`.
    public var integerText: String? {
        guard case .number(let number) = self, number.rounded(.towardZero) == number,
            abs(number) <= Self.exactIntegerLimit
        else { return nil }
        return String(Int64(number))
    }

    /// What kind of value this is, for error messages: `a string`, `an array`, …
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}
