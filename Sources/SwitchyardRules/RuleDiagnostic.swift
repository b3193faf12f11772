/// One problem found while loading rule files, with where it is.
public struct RuleDiagnostic: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    /// What is wrong and, where it helps, what is allowed instead.
    public var message: String

    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }

    /// `file:line:column: message`, the format compilers use, so editors can jump to it.
    public var description: String { "\(location): \(message)" }
}
