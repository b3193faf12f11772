import Foundation
import SwitchyardCore

/// The values a write-back template's references stand for, for one decision on one ticket.
struct WriteBackValues {
    let decision: Decision
    let ticket: Ticket
    let settings: AdapterSettings
    let normalizesTags: Bool
    /// `write_back.priorities`.
    var priorities: [Priority: JSONValue] = [:]

    /// A configured setting; an empty value counts as not configured.
    func setting(_ name: String) -> String? {
        settings.value(name)
    }

    /// The value of `reference`, or `nil` when it has none (no priority, no channel).
    ///
    /// - Throws: ``WebhookError/missingTarget(_:)`` / ``WebhookError/missingSetting(_:)`` when
    ///   the value must be configured and is not, unless the template marks it `optional`.
    func value(of reference: TemplateReference, optional: Bool) throws(WebhookError) -> JSONValue? {
        switch reference {
        case .target:
            if let target = settings.targets[decision.department] { return target }
            if optional { return nil }
            throw .missingTarget(decision.department)
        case .setting(let name):
            if let value = setting(name) { return .string(value) }
            if optional { return nil }
            throw .missingSetting(name)
        case .mergedTags:
            return .array((ticket.tags + decisionTags).removingDuplicates().map(JSONValue.string))
        case .decision(let field):
            return decisionValue(field)
        case .decisionField(let name):
            return decision.fields[name].map(JSONValue.string)
        case .ticket(let field):
            return ticketValue(field)
        case .platformPriority:
            return decision.priority.flatMap { priorities[$0] }
        case .platformPriorityMember(let name):
            guard case .object(let members)? = decision.priority.flatMap({ priorities[$0] }) else { return nil }
            return members[name]
        }
    }

    /// The text of `reference` for a URL: settings as they are, anything else percent-encoded
    /// as one path segment.
    func urlText(of reference: TemplateReference) throws(WebhookError) -> String {
        if case .setting(let name) = reference {
            guard let value = setting(name) else { throw .missingSetting(name) }
            return value
        }
        return PercentEncoding.escapingAllButUnreserved(try text(of: reference))
    }

    /// The text of `reference` inside a longer string (an internal note): numbers as
    /// written, lists joined with ", ", an absent value as nothing.
    func text(of reference: TemplateReference) throws(WebhookError) -> String {
        Self.text(of: try value(of: reference, optional: false))
    }

    private static func text(of value: JSONValue?) -> String {
        switch value {
        case .string(let string)?: string
        case .number(let number)?: JSONValue.number(number).integerText ?? "\(number)"
        case .bool(let bool)?: bool ? "true" : "false"
        case .array(let items)?: items.map { text(of: $0) }.joined(separator: ", ")
        case .object(let members)?: members.keys.sorted().map { "\($0)=\(text(of: members[$0]))" }.joined(separator: ", ")
        case .null?, nil: ""
        }
    }

    private func decisionValue(_ field: TemplateReference.DecisionField) -> JSONValue? {
        switch field {
        case .department: .string(decision.department.rawValue)
        case .priority: decision.priority.map { .string($0.rawValue) }
        case .tags: .array(decisionTags.map(JSONValue.string))
        case .confidence: .number(decision.confidence)
        case .fields: .object(decision.fields.mapValues(JSONValue.string))
        case .stage: .string(decision.provenance.stage.rawValue)
        case .decidedBy: decision.provenance.decidedBy.map(JSONValue.string)
        case .decidedAt: .string(decision.decidedAt.formatted(.iso8601))
        case .explanation: .string(decision.explanation)
        }
    }

    private func ticketValue(_ field: TemplateReference.TicketField) -> JSONValue? {
        switch field {
        case .externalID: .string(ticket.externalID)
        case .source: .string(ticket.source)
        case .tags: .array(ticket.tags.map(JSONValue.string))
        case .channel: ticket.channel.map(JSONValue.string)
        case .language: ticket.language.map(JSONValue.string)
        }
    }

    /// The decision's tags, in the platform's tag style when the adapter asks for it.
    private var decisionTags: [String] {
        (normalizesTags ? decision.tags.compactMap(Self.normalizedTag) : decision.tags).removingDuplicates()
    }

    /// Zendesk's tag style: lower case, no spaces (`Card Lost` → `card_lost`); `nil` for a blank tag.
    static func normalizedTag(_ tag: String) -> String? {
        let words = tag.lowercased().split(whereSeparator: \.isWhitespace)
        return words.isEmpty ? nil : words.joined(separator: "_")
    }
}
