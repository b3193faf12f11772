import SwitchyardCore

/// A write-back body as written in an adapter file: JSON whose `${…}` references are replaced
/// by values when a decision is written back.
///
/// A string that is one reference and nothing else, `"${decision.priority}"`, becomes the
/// value itself (a number, a list), or `null` when there is none; `"${decision.priority?}"`
/// leaves the member (or array element) out instead, so that an update does not clear a
/// field the decision has no opinion on. A string with text around its references
/// (`"Routed to ${decision.department}"`) stays a string, each reference written as text.
/// `$$` writes a literal `$`.
indirect enum BodyTemplate: Sendable, Hashable {
    case literal(JSONValue)
    case reference(TemplateReference, omittedWhenAbsent: Bool)
    case text(StringTemplate<TemplateReference>)
    case array([BodyTemplate])
    case object([String: BodyTemplate])

    /// The JSON value of a template without references (`{name: High}`), or nil.
    var literalValue: JSONValue? {
        switch self {
        case .literal(let value): return value
        case .reference, .text: return nil
        case .array(let elements):
            var values: [JSONValue] = []
            for element in elements {
                guard let value = element.literalValue else { return nil }
                values.append(value)
            }
            return .array(values)
        case .object(let members):
            var values: [String: JSONValue] = [:]
            for (name, member) in members {
                guard let value = member.literalValue else { return nil }
                values[name] = value
            }
            return .object(values)
        }
    }

    /// Every reference in the template.
    var references: [TemplateReference] {
        switch self {
        case .literal: []
        case .reference(let reference, _): [reference]
        case .text(let template): template.placeholders
        case .array(let elements): elements.flatMap(\.references)
        case .object(let members): members.values.flatMap(\.references)
        }
    }

    /// The JSON value, references replaced. `resolve` gives `nil` for an absent value and throws
    /// for one that must be configured (a target, a setting) unless it is optional here.
    func render(_ values: WriteBackValues) throws(WebhookError) -> JSONValue {
        try renderOrOmit(values) ?? .null
    }

    private func renderOrOmit(_ values: WriteBackValues) throws(WebhookError) -> JSONValue? {
        switch self {
        case .literal(let value):
            return value
        case .reference(let reference, let omittedWhenAbsent):
            let value = try values.value(of: reference, optional: omittedWhenAbsent)
            return omittedWhenAbsent ? value : (value ?? .null)
        case .text(let template):
            return .string(try template.render { reference throws(WebhookError) in try values.text(of: reference) })
        case .array(let elements):
            var rendered: [JSONValue] = []
            for element in elements {
                if let value = try element.renderOrOmit(values) { rendered.append(value) }
            }
            return .array(rendered)
        case .object(let members):
            var rendered: [String: JSONValue] = [:]
            for (name, member) in members {
                if let value = try member.renderOrOmit(values) { rendered[name] = value }
            }
            return .object(rendered)
        }
    }
}
