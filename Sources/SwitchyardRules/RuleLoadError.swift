public import SwitchyardYAML

/// Rule files that cannot be used, with every problem found in every file.
///
/// Loading never stops at the first problem, so that a support lead can fix a whole file
/// in one pass.
public struct RuleLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Sorted by file, line and column. Never empty.
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    /// One diagnostic per line.
    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
