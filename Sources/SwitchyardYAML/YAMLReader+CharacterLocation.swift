public import Yams

extension YAMLReader {
    /// Where the `offset`-th character (Unicode scalar, from 0) of a scalar's value is
    /// written in the file, so that an error inside a value (a regular expression, a JSON
    /// path, a template) points at the character.
    ///
    /// Traced exactly for scalars on one line (plain, single- or double-quoted, including
    /// escapes); `nil` for block scalars and scalars spanning lines, where the caller falls
    /// back to the start of the scalar.
    public func location(ofCharacter offset: Int, in node: Node) -> SourceLocation? {
        guard case .scalar(let scalar) = node, let mark = scalar.mark else { return nil }
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let line = Array(lines[mark.line - 1])
        let value = Array(scalar.string.unicodeScalars)
        guard offset >= 0, offset <= value.count else { return nil }

        var index = mark.column - 1  // 0-based position in `line`
        func character(at index: Int) -> Unicode.Scalar? { line.indices.contains(index) ? line[index] : nil }

        switch scalar.style {
        case .plain:
            for expected in value[..<offset] {
                guard character(at: index) == expected else { return nil }
                index += 1
            }
        case .singleQuoted:
            guard character(at: index) == "'" else { return nil }
            index += 1
            for expected in value[..<offset] {
                guard character(at: index) == expected else { return nil }
                // A quote inside single quotes is written twice.
                if expected == "'" {
                    guard character(at: index + 1) == "'" else { return nil }
                    index += 1
                }
                index += 1
            }
        case .doubleQuoted:
            guard character(at: index) == "\"" else { return nil }
            index += 1
            for expected in value[..<offset] {
                guard let written = character(at: index) else { return nil }
                if written == "\\" {
                    // Each escape stands for one character of the value.
                    switch character(at: index + 1) {
                    case "x": index += 4
                    case "u": index += 6
                    case "U": index += 10
                    case .none: return nil
                    default: index += 2
                    }
                } else {
                    guard written == expected else { return nil }
                    index += 1
                }
            }
        default:
            return nil
        }
        return SourceLocation(file: file, line: mark.line, column: index + 1)
    }
}
