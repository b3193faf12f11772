public import Yams

extension YAMLReader {
    /// A diagnostic for text that is not valid YAML, at the position libyaml reports: the
    /// one description of syntax errors for every YAML file Switchyard reads.
    public static func diagnostic(for error: any Error, file: String, text: String) -> Diagnostic {
        guard let error = error as? YamlError else {
            return Diagnostic(location: .file(file), message: "cannot read YAML: \(error)")
        }
        func location(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context {
                let sameSpot = context.mark.line == mark.line && context.mark.column == mark.column
                message += sameSpot
                    ? " (\(context.text))"
                    : " (\(context.text) from line \(context.mark.line), column \(context.mark.column))"
            }
            return Diagnostic(location: location(mark), message: message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return Diagnostic(
                location: location(context.mark),
                message: "key \(keys) appears more than once in one mapping; keep one")
        case .reader(let problem, let offset, _, _):
            return Diagnostic(
                location: offset.map { Self.location(ofCharacterOffset: $0, in: text, file: file) } ?? .file(file),
                message: "cannot read YAML: \(problem)")
        default:
            return Diagnostic(location: .file(file), message: "cannot read YAML: \(error)")
        }
    }

    /// The line and column of the `offset`-th character of the text.
    private static func location(ofCharacterOffset offset: Int, in text: String, file: String) -> SourceLocation {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character == "\n" || character == "\r\n" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return SourceLocation(file: file, line: line, column: column)
    }
}
