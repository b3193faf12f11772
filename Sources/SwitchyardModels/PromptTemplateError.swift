/// A prompt template that is not valid Mustache.
public struct PromptTemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line in the whole template.
    public var line: Int
    /// 1-based column.
    public var column: Int
    /// The parser's reason, for example `sectionCloseNameIncorrect`.
    public var reason: String

    public var description: String {
        "prompt template line \(line), column \(column): \(reason); fix the Mustache syntax there"
    }
}
