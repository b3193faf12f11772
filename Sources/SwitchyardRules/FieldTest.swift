/// What a condition checks about one field value, named in rule files by its key
/// (`matches:`).
public enum FieldTest: Sendable, CustomStringConvertible {
    /// The value contains a match of the pattern (PCRE2, unanchored: use `^…$` to match
    /// the whole value).
    case matches(Pattern)

    /// The keys that name a test in rule files.
    static let keys = ["matches"]

    /// Tests one value.
    public func evaluate(_ value: String) -> MatchOutcome {
        switch self {
        case .matches(let pattern): pattern.match(value)
        }
    }

    /// The test as written in a rule file, for example `matches '^(fraud)$'`. Contains no
    /// ticket data, so it may be logged.
    public var description: String {
        switch self {
        case .matches(let pattern): "matches '\(pattern.source)'"
        }
    }
}
