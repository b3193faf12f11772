/// One problem found in a file, with where it is.
public struct Diagnostic: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var location: SourceLocation
    /// What is wrong and, where it helps, what is allowed instead.
    public var message: String

    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }

    /// `Rules/15-cards.yaml:3:29: error: unknown key "matchs" in rules[0].when; …`: the format
    /// compilers print, so editors and CI annotate the line.
    public var description: String { "\(location): error: \(message)" }

    /// By place, then by message.
    public static func < (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        (lhs.location, lhs.message) < (rhs.location, rhs.message)
    }
}
