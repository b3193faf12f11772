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
