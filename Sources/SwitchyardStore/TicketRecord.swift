public import Foundation
public import SwitchyardCore

/// Everything the store knows about one ticket.
public struct TicketRecord: Sendable, Hashable {
    public var id: TicketID
    public var ticket: Ticket
    public var idempotencyKey: String
    public var status: TicketStatus
    public var receivedAt: Date
    /// Times a worker claimed it.
    public var attempts: Int
    public var decision: Decision?
    /// Write-backs of its decision, oldest first.
    public var writeBacks: [OutboxEntry]
    /// Agents' feedback, oldest first.
    public var feedback: [Feedback]

    public init(
        id: TicketID,
        ticket: Ticket,
        idempotencyKey: String,
        status: TicketStatus,
        receivedAt: Date,
        attempts: Int,
        decision: Decision? = nil,
        writeBacks: [OutboxEntry] = [],
        feedback: [Feedback] = []
    ) {
        self.id = id
        self.ticket = ticket
        self.idempotencyKey = idempotencyKey
        self.status = status
        self.receivedAt = receivedAt
        self.attempts = attempts
        self.decision = decision
        self.writeBacks = writeBacks
        self.feedback = feedback
    }
}
