import SwitchyardCore

/// Which deliveries an adapter turns into tickets, by an event-type field.
///
/// A delivery whose field holds another value is refused with
/// ``WebhookError/unsupportedEvent(path:value:)``; one without the field (a payload shape that
/// has no event type, such as a Zendesk trigger body) is accepted.
public struct EventFilter: Sendable, Hashable {
    /// Where the event type is, for example `$.type`.
    public let path: JSONPath
    /// The event types that are tickets, for example `zen:event-type:ticket.created`.
    public let values: [String]

    func check(_ payload: JSONValue) throws(WebhookError) {
        switch payload.value(at: path) {
        case nil, .null?:
            return
        case .string(let value)?:
            guard values.contains(value) else {
                throw .unsupportedEvent(path: path.description, value: String(value.prefix(100)))
            }
        case let other?:
            throw .wrongType(path: path.description, expected: "a string", found: other.kindDescription)
        }
    }
}
