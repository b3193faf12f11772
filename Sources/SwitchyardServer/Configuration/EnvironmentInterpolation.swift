import SwitchyardCore

/// Replaces `${NAME}` and `${NAME:-fallback}` in configuration values, in the project's one
/// substitution syntax (``InterpolatedText``).
///
/// `${NAME}` with `NAME` unset is an error (a secret that silently becomes empty is worse
/// than a failed start); `${NAME:-fallback}` uses the fallback when `NAME` is unset or empty.
/// `$$` writes a literal `$`.
struct EnvironmentInterpolation: Sendable {
    let environment: [String: String]

    enum Failure: Error, Equatable {
        case unset(String)
        case syntax(InterpolatedText.SyntaxError)
    }

    func interpolate(_ value: String) throws(Failure) -> String {
        guard value.contains("$") else { return value }
        let text: InterpolatedText
        do {
            text = try InterpolatedText(parsing: value)
        } catch {
            throw .syntax(error)
        }
        return try text.rendered { reference in
            let current = environment[reference.name]
            // With a fallback, an empty variable counts as unset.
            if reference.fallback != nil, current?.isEmpty ?? true { return nil }
            return current
        } missing: { reference throws(Failure) in
            throw .unset(reference.name)
        }
    }
}
