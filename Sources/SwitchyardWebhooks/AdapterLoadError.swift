public import SwitchyardYAML

/// Why adapter files could not be loaded: every problem found, each with its place,
/// printed like a compiler diagnostic: `Webhooks/zendesk.yaml:12:5: error: unknown key "algoritm" in signature; …`.
public struct AdapterLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Sorted by file, line and column, as the rule files' problems are.
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics.sorted { $0.location < $1.location }
    }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
