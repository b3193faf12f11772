import Foundation

/// What a condition checks about one field value, named in rule files by its key
/// (`matches:`, `contains:`, …).
///
/// The text comparisons (`contains`, `equals`, `starts_with`, `ends_with`, `in`) ignore case
/// unless the condition says `case_sensitive: true`; `matches` is a regular expression and
/// says so itself (`(?i)`).
public enum FieldTest: Sendable, CustomStringConvertible {
    /// The value contains a match of the pattern (PCRE2, unanchored: use `^…$` to match
    /// the whole value).
    case matches(Pattern)
    case contains(TextComparison)
    case equals(TextComparison)
    case startsWith(TextComparison)
    case endsWith(TextComparison)
    /// The value equals one of the listed values.
    case oneOf([TextComparison])
    /// `true`: the field has a non-empty value; `false`: it has none.
    case exists(Bool)
    /// The value, read as a number, is greater than the bound (a value that is not a number
    /// never is).
    case greaterThan(Double)
    case lessThan(Double)

    /// The keys that name a test in rule files.
    static let keys = [
        "matches", "contains", "equals", "starts_with", "ends_with", "in", "exists", "greater_than", "less_than",
    ]
    /// The tests `case_sensitive` applies to.
    static let textKeys: Set<String> = ["contains", "equals", "starts_with", "ends_with", "in"]

    /// Tests one value.
    public func evaluate(_ value: String) -> MatchOutcome {
        let holds: Bool
        switch self {
        case .matches(let pattern): return pattern.match(value)
        case .contains(let text): holds = text.prepared(value).contains(text.value)
        case .equals(let text): holds = text.prepared(value) == text.value
        case .startsWith(let text): holds = text.prepared(value).hasPrefix(text.value)
        case .endsWith(let text): holds = text.prepared(value).hasSuffix(text.value)
        case .oneOf(let texts): holds = texts.contains { $0.prepared(value) == $0.value }
        case .exists(let expected): holds = expected == !value.isEmpty
        case .greaterThan(let bound): holds = Self.number(value).map { $0 > bound } ?? false
        case .lessThan(let bound): holds = Self.number(value).map { $0 < bound } ?? false
        }
        return holds ? .matched : .notMatched
    }

    /// `value` as a number: `42`, `-3.5`, `1e3`, with surrounding spaces; nil otherwise.
    static func number(_ value: String) -> Double? {
        Double(value.trimmingCharacters(in: .whitespaces)).flatMap { $0.isFinite ? $0 : nil }
    }

    /// The test as written in a rule file, for example `matches '^(fraud)$'`. Contains no
    /// ticket data, so it may be logged.
    public var description: String {
        switch self {
        case .matches(let pattern): "matches '\(pattern.source)'"
        case .contains(let text): "contains \(text)"
        case .equals(let text): "equals \(text)"
        case .startsWith(let text): "starts_with \(text)"
        case .endsWith(let text): "ends_with \(text)"
        case .oneOf(let texts): "in [\(texts.map(\.description).joined(separator: ", "))]"
        case .exists(let expected): "exists \(expected)"
        case .greaterThan(let bound): "greater_than \(Self.format(bound))"
        case .lessThan(let bound): "less_than \(Self.format(bound))"
        }
    }

    private static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}

/// A text a value is compared with, folded once when the rule is read unless the comparison
/// is case-sensitive.
public struct TextComparison: Sendable, Hashable, CustomStringConvertible {
    /// The text as compared: lowercased unless `caseSensitive`.
    public let value: String
    /// As written in the rule file.
    public let written: String
    public let caseSensitive: Bool

    public init(_ written: String, caseSensitive: Bool) {
        self.written = written
        self.caseSensitive = caseSensitive
        self.value = caseSensitive ? written : TextComparison.fold(written)
    }

    /// A ticket's value made comparable with `value`.
    func prepared(_ candidate: String) -> String {
        caseSensitive ? candidate : Self.fold(candidate)
    }

    /// Case folding for comparisons: Unicode lowercase, so `Ä` and `ä` compare equal.
    static func fold(_ text: String) -> String { text.lowercased() }

    public var description: String {
        "'\(written)'" + (caseSensitive ? " (case-sensitive)" : "")
    }
}
