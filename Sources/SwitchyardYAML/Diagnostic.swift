/// One problem found in a file, with where it is.
public struct Diagnostic: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var location: SourceLocation
    /// What is wrong and, where it helps, what is allowed instead.
    public var message: String
    /// An error makes the file unusable; a warning points at something that works but is
    /// likely a mistake (`switchyard rules lint`).
    public var severity: Severity

    public enum Severity: String, Sendable, Hashable {
        case error, warning
    }

    public init(location: SourceLocation, message: String, severity: Severity = .error) {
        self.location = location
        self.message = message
        self.severity = severity
    }

    /// `Rules/15-cards.yaml:3:29: error: unknown key "matchs" in rules[0].when; …`: the format
    /// compilers print, so editors and CI annotate the line.
    public var description: String { "\(location): \(severity.rawValue): \(message)" }

    /// By place, then by message.
    public static func < (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        (lhs.location, lhs.message, lhs.severity.rawValue) < (rhs.location, rhs.message, rhs.severity.rawValue)
    }
}
