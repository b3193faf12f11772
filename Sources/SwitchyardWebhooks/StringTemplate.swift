/// Text with `{placeholder}` parts, such as
/// `"{settings.base_url}/api/v2/tickets/{ticket.external_id}.json"` or `"{timestamp}{body}"`.
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

    /// Parses `text`, turning each `{name}` into a placeholder with `placeholder(name)`;
    /// a `nil` result rejects the name.
    init(parsing text: String, placeholder: (String) -> Placeholder?) throws(TemplateSyntaxError) {
        var parts: [Part] = []
        var literal = ""
        var index = text.startIndex
        var offset = 0
        while index < text.endIndex {
            let character = text[index]
            guard character == "{" else {
                literal.append(character)
                index = text.index(after: index)
                offset += 1
                continue
            }
            let nameStart = text.index(after: index)
            guard let close = text[nameStart...].firstIndex(of: "}") else {
                throw TemplateSyntaxError(offset: offset, message: "\"{\" without a closing \"}\"")
            }
            let name = String(text[nameStart..<close])
            guard !name.contains("{") else {
                throw TemplateSyntaxError(offset: offset, message: "\"{\" without a closing \"}\"")
            }
            guard let value = placeholder(name) else {
                throw TemplateSyntaxError(offset: offset + 1, message: "unknown placeholder {\(name)}")
            }
            if !literal.isEmpty {
                parts.append(.literal(literal))
                literal = ""
            }
            parts.append(.placeholder(value))
            offset += name.count + 2
            index = text.index(after: close)
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
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
