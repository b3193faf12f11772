import SwitchyardCore

/// A write-back body as written in an adapter file: JSON whose `$…` strings are replaced by
/// values when a decision is written back.
///
/// `$decision.priority` becomes the value, or `null` when there is none;
/// `$decision.priority?` leaves the member (or array element) out instead, so that an update
/// does not clear a field the decision has no opinion on. `$$` starts a literal `$`.
indirect enum BodyTemplate: Sendable, Hashable {
    case literal(JSONValue)
    case reference(TemplateReference, omittedWhenAbsent: Bool)
    case array([BodyTemplate])
    case object([String: BodyTemplate])

    /// Every reference in the template.
    var references: [TemplateReference] {
        switch self {
        case .literal: []
        case .reference(let reference, _): [reference]
        case .array(let elements): elements.flatMap(\.references)
        case .object(let members): members.values.flatMap(\.references)
        }
    }

    /// The JSON value, references replaced. `resolve` gives `nil` for an absent value and throws
    /// for one that must be configured (a target, a setting) unless it is optional here.
    func render(
        _ resolve: (TemplateReference, _ optional: Bool) throws(WebhookError) -> JSONValue?
    ) throws(WebhookError) -> JSONValue {
        try renderOrOmit(resolve) ?? .null
    }

    private func renderOrOmit(
        _ resolve: (TemplateReference, Bool) throws(WebhookError) -> JSONValue?
    ) throws(WebhookError) -> JSONValue? {
        switch self {
        case .literal(let value):
            return value
        case .reference(let reference, let omittedWhenAbsent):
            let value = try resolve(reference, omittedWhenAbsent)
            return omittedWhenAbsent ? value : (value ?? .null)
        case .array(let elements):
            var rendered: [JSONValue] = []
            for element in elements {
                if let value = try element.renderOrOmit(resolve) { rendered.append(value) }
            }
            return .array(rendered)
        case .object(let members):
            var rendered: [String: JSONValue] = [:]
            for (name, member) in members {
                if let value = try member.renderOrOmit(resolve) { rendered[name] = value }
            }
            return .object(rendered)
        }
    }
}
