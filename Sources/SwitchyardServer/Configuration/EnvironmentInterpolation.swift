/// Replaces `${NAME}` and `${NAME:-fallback}` in configuration values.
///
/// `${NAME}` with `NAME` unset is an error (a secret that silently becomes empty is worse
/// than a failed start); `${NAME:-fallback}` uses the fallback when `NAME` is unset or empty.
/// `$$` writes a literal `$`.
struct EnvironmentInterpolation: Sendable {
    let environment: [String: String]

    enum Failure: Error, Equatable {
        case unset(String)
        case unterminated
    }

    func interpolate(_ value: String) throws(Failure) -> String {
        guard value.contains("$") else { return value }
        var result = ""
        var index = value.startIndex
        while index < value.endIndex {
            let character = value[index]
            let next = value.index(after: index)
            guard character == "$", next < value.endIndex else {
                result.append(character)
                index = next
                continue
            }
            if value[next] == "$" {
                result.append("$")
                index = value.index(after: next)
                continue
            }
            guard value[next] == "{" else {
                result.append(character)
                index = next
                continue
            }
            guard let close = value[next...].firstIndex(of: "}") else { throw .unterminated }
            let expression = value[value.index(after: next)..<close]
            let name: Substring
            let fallback: Substring?
            if let separator = expression.range(of: ":-") {
                name = expression[..<separator.lowerBound]
                fallback = expression[separator.upperBound...]
            } else {
                name = expression
                fallback = nil
            }
            if let fallback {
                let current = environment[String(name)] ?? ""
                result += current.isEmpty ? String(fallback) : current
            } else {
                guard let current = environment[String(name)] else { throw .unset(String(name)) }
                result += current
            }
            index = value.index(after: close)
        }
        return result
    }
}
