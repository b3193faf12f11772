public import SwitchyardCore

/// What `accept` did with a ticket.
public enum IntakeOutcome: Sendable, Hashable {
    /// Stored as a new queued ticket.
    case accepted(TicketID)
    /// Already stored under the same source and idempotency key; nothing was written.
    case duplicate(TicketID)

    /// The stored ticket's id, new or earlier.
    public var ticketID: TicketID {
        switch self {
        case .accepted(let id), .duplicate(let id): id
        }
    }
}
