/// A place in a YAML file (rules, adapters, configuration). Lines and columns count from 1, columns in Unicode scalars (as
/// YAML parsers and most editors count them); line 0 means the file as a whole.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file as named when it was loaded, for example `Rules/10-security.yaml`.
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The file as a whole, for problems that have no line (unreadable, missing).
    public static func file(_ file: String) -> SourceLocation {
        SourceLocation(file: file, line: 0, column: 0)
    }

    /// `Rules/10-security.yaml:12:7`, or just the file when there is no line.
    public var description: String {
        line > 0 ? "\(file):\(line):\(column)" : file
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}
