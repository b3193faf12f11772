public import SwitchyardYAML

/// Why a configuration file could not be used: every problem found in it, each with the
/// file, line and column, the key path and the reason, in the format rule and adapter files
/// use (`switchyard.yaml:12:9: error: server.port must be between 0 and 65535, found 99999`).
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// In file order; at least one.
    public var problems: [Diagnostic]

    public init(problems: [Diagnostic]) {
        precondition(!problems.isEmpty, "a configuration error names at least one problem")
        self.problems = problems
    }

    /// One problem per line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
