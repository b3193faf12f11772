/// Why adapter files could not be loaded: every problem found, each with its place.
public struct AdapterLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One problem in one file, printed like a compiler diagnostic:
    /// `Webhooks/zendesk.yaml:12:5: error: unknown key "algoritm" in signature; …`.
    public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
        public var file: String
        /// One-based; 0 when the problem concerns the whole file (it cannot be read).
        public var line: Int
        public var column: Int
        public var message: String

        public init(file: String, line: Int, column: Int, message: String) {
            self.file = file
            self.line = line
            self.column = column
            self.message = message
        }

        public var description: String {
            line > 0 ? "\(file):\(line):\(column): error: \(message)" : "\(file): error: \(message)"
        }
    }

    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
