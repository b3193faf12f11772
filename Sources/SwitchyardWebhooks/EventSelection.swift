public import HTTPTypes
import SwitchyardCore

/// Which events in a delivery are new tickets, which are updates of tickets already sent, and
/// where the events are when one delivery carries several (HubSpot posts a JSON array).
///
/// An event whose type field holds a value in neither list is ignored (answered 2xx so the
/// platform does not retry it); one without the field (a payload shape that has no event type,
/// such as a Zendesk trigger body) is a new ticket.
public struct EventSelection: Sendable, Hashable {
    /// Where the list of events is (`$` for a body that is an array); nil: the body is one event.
    public let each: JSONPath?
    /// Where an event's type is, for example `$.type`; nil: every event is a new ticket.
    public let type: JSONPath?
    /// The header carrying the event type instead (Help Scout's `X-HelpScout-Event`).
    public let typeHeader: HTTPField.Name?
    /// The event types that are new tickets, for example `zen:event-type:ticket.created`.
    public let new: [String]
    /// The event types that update a ticket the platform sent before: decided again when its
    /// text changed. A type listed under `new` too (Front's `inbound`, for the first message
    /// and every reply) is an update of a known ticket and a new ticket otherwise.
    public let update: [String]
    /// Update types that are decided again even when the text is the same (a reopened issue).
    public let retriage: [String]
    /// The header whose value a platform's set-up request wants echoed (`{"challenge": …}`,
    /// Front's `X-Front-Challenge`); nil: none.
    public let challengeHeader: HTTPField.Name?

    init(
        each: JSONPath? = nil, type: JSONPath?, typeHeader: HTTPField.Name? = nil, new: [String], update: [String] = [],
        retriage: [String] = [], challengeHeader: HTTPField.Name? = nil
    ) {
        self.each = each
        self.type = type
        self.typeHeader = typeHeader
        self.new = new
        self.update = update
        self.retriage = retriage
        self.challengeHeader = challengeHeader
    }

    public enum Kind: Sendable, Hashable {
        case new
        /// The type; whether it is listed under `retriage`; whether it is also a new ticket.
        case update(String, retriage: Bool, orNew: Bool)
        /// Another event type, with the path and the value.
        case ignored(path: String, value: String)
    }

    /// The events of a payload, each a JSON value of its own.
    func events(in payload: JSONValue) throws(WebhookError) -> [JSONValue] {
        guard let each else { return [payload] }
        switch try payload.mappedValue(at: each) {
        case .array(let events)?:
            return events
        case nil, .null?:
            throw .missingField(path: each.description)
        case let other?:
            throw .wrongType(path: each.description, expected: "a list of events", found: other.kindDescription)
        }
    }

    func kind(of event: JSONValue, headers: HTTPFields) throws(WebhookError) -> Kind {
        if let typeHeader {
            guard let value = headers[typeHeader]?.trimmingWhitespace(), !value.isEmpty else { return .new }
            return kind(value, at: typeHeader.rawName)
        }
        guard let type else { return .new }
        switch try event.mappedValue(at: type) {
        case nil, .null?:
            return .new
        case .string(let value)?:
            return kind(value, at: type.description)
        case let other?:
            throw .wrongType(path: type.description, expected: "a string", found: other.kindDescription)
        }
    }

    private func kind(_ value: String, at place: String) -> Kind {
        let isNew = new.contains(value)
        if update.contains(value) || retriage.contains(value) {
            return .update(value, retriage: retriage.contains(value), orNew: isNew)
        }
        if isNew { return .new }
        return .ignored(path: place, value: String(value.prefix(100)))
    }
}
