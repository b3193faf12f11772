public import Foundation
public import SwitchyardCore

/// A ticket claimed from the queue for triage.
public struct QueuedTicket: Sendable, Hashable {
    public var id: TicketID
    public var ticket: Ticket
    public var receivedAt: Date
    /// Claims so far, this one included.
    public var attempts: Int

    public init(id: TicketID, ticket: Ticket, receivedAt: Date, attempts: Int) {
        self.id = id
        self.ticket = ticket
        self.receivedAt = receivedAt
        self.attempts = attempts
    }
}
