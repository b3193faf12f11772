import SwitchyardCore

/// Text with `${placeholder}` parts in the project's one substitution syntax
/// (``InterpolatedText``), such as
/// `"${settings.base_url}/api/v2/tickets/${ticket.external_id}.json"` or
/// `"${timestamp}.${body}"`. `$$` writes a literal `$`.
///
/// Which placeholders a template may use depends on where it appears; `Placeholder` is the
/// vocabulary of that place, checked when the adapter file is loaded.
public struct StringTemplate<Placeholder: Sendable & Hashable>: Sendable, Hashable, CustomStringConvertible {
    public enum Part: Sendable, Hashable {
        case literal(String)
        case placeholder(Placeholder)
    }

    public let parts: [Part]
    /// The template as written in the adapter file.
    public let description: String

    /// The placeholders in order of appearance.
    public var placeholders: [Placeholder] {
        parts.compactMap { part in
            if case .placeholder(let placeholder) = part { placeholder } else { nil }
        }
    }

    /// Parses `text`, turning each `${name}` into a placeholder with `placeholder(name)`;
    /// a `nil` result rejects the name. Fallbacks (`${name:-text}`) have no place in adapter
    /// templates: a value that may be absent is the template's to leave out.
    init(parsing text: String, placeholder: (String) -> Placeholder?) throws(TemplateSyntaxError) {
        let interpolated: InterpolatedText
        do {
            interpolated = try InterpolatedText(parsing: text)
        } catch {
            throw TemplateSyntaxError(offset: error.offset, message: error.message)
        }
        var parts: [Part] = []
        for segment in interpolated.segments {
            switch segment {
            case .literal(let literal):
                parts.append(.literal(literal))
            case .reference(let reference):
                guard reference.fallback == nil else {
                    throw TemplateSyntaxError(
                        offset: reference.offset, message: "${\(reference.name):-…}: fallbacks are not used in adapter files")
                }
                guard let value = placeholder(reference.name) else {
                    throw TemplateSyntaxError(offset: reference.offset, message: "unknown placeholder ${\(reference.name)}")
                }
                parts.append(.placeholder(value))
            }
        }
        self.parts = parts
        self.description = text
    }

    /// The text with each placeholder replaced by `value(placeholder)`.
    func render(_ value: (Placeholder) throws(WebhookError) -> String) throws(WebhookError) -> String {
        var text = ""
        for part in parts {
            switch part {
            case .literal(let literal): text += literal
            case .placeholder(let placeholder): text += try value(placeholder)
            }
        }
        return text
    }
}

/// Why a template could not be read, and at which character of it.
struct TemplateSyntaxError: Error {
    /// Zero-based character offset into the template text.
    var offset: Int
    var message: String
}
