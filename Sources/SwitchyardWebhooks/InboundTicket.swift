public import SwitchyardCore

/// A delivery turned into a ticket, with the key that recognises its retries.
public struct InboundTicket: Sendable, Hashable {
    public var ticket: Ticket
    /// Unique per adapter: store it together with `ticket.source`.
    public var idempotencyKey: String

    public init(ticket: Ticket, idempotencyKey: String) {
        self.ticket = ticket
        self.idempotencyKey = idempotencyKey
    }
}

/// An event about a ticket the platform sent before (same source and platform id).
public struct InboundUpdate: Sendable, Hashable {
    /// The ticket as the event describes it; subject and body are empty when the event
    /// carries no text (a HubSpot property change).
    public var ticket: Ticket
    /// The event type.
    public var type: String
    /// The adapter lists the type under `events.retriage`: decide the ticket again even when
    /// its text is the same.
    public var retriage: Bool
    /// Set when the type is also a new ticket (listed under both `new` and `update`): the key
    /// to store it with when the platform's ticket is not known yet.
    public var idempotencyKey: String?

    public var externalID: String { ticket.externalID }

    public init(ticket: Ticket, type: String, retriage: Bool = false, idempotencyKey: String? = nil) {
        self.ticket = ticket
        self.type = type
        self.retriage = retriage
        self.idempotencyKey = idempotencyKey
    }
}
