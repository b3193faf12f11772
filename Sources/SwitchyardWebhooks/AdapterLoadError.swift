public import SwitchyardYAML

/// Why adapter files could not be loaded: every problem found, each with its place,
/// printed like a compiler diagnostic: `Webhooks/zendesk.yaml:12:5: error: unknown key "algoritm" in signature; …`.
public struct AdapterLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
