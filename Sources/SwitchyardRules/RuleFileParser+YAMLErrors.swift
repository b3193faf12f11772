import Yams

extension RuleFileParser {
    /// A diagnostic for a file that is not valid YAML, at the position libyaml reports.
    func diagnostic(for error: any Error) -> RuleDiagnostic {
        guard let error = error as? YamlError else {
            return RuleDiagnostic(location: .file(file), message: "cannot read YAML: \(error)")
        }
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
            return RuleDiagnostic(location: location(of: mark), message: message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return RuleDiagnostic(
                location: location(of: context.mark),
                message: "key \(keys) appears more than once in one mapping; keep one"
            )
        case .reader(let problem, let offset, _, _):
            return RuleDiagnostic(
                location: offset.map(location(ofCharacterOffset:)) ?? .file(file),
                message: "cannot read YAML: \(problem)"
            )
        default:
            return RuleDiagnostic(location: .file(file), message: "cannot read YAML: \(error)")
        }
    }

    /// The line and column of the `offset`-th character of the file.
    private func location(ofCharacterOffset offset: Int) -> SourceLocation {
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
