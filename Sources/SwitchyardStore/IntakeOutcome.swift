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

/// What `revise` did with an update of a ticket the platform sent before.
public enum RevisionOutcome: Sendable, Hashable {
    /// No ticket from that source has that platform id.
    case unknown
    /// The subject and body are the ones stored (or the update carries none): nothing changed.
    case unchanged(TicketID)
    /// The ticket took the update's fields and is queued to be decided again.
    case requeued(TicketID)
}
