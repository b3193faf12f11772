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
    /// When retention removed its text and requester (`storage.retention`), if it did.
    public var purgedAt: Date?
    /// Every decision, oldest first; the last is current.
    public var decisions: [RecordedDecision]
    /// Write-backs of its decisions, oldest first.
    public var writeBacks: [OutboxEntry]
    /// Agents' feedback, oldest first.
    public var feedback: [RecordedFeedback]

    public init(
        id: TicketID,
        ticket: Ticket,
        idempotencyKey: String,
        status: TicketStatus,
        receivedAt: Date,
        attempts: Int,
        purgedAt: Date? = nil,
        decisions: [RecordedDecision] = [],
        writeBacks: [OutboxEntry] = [],
        feedback: [RecordedFeedback] = []
    ) {
        self.id = id
        self.ticket = ticket
        self.idempotencyKey = idempotencyKey
        self.status = status
        self.receivedAt = receivedAt
        self.attempts = attempts
        self.purgedAt = purgedAt
        self.decisions = decisions
        self.writeBacks = writeBacks
        self.feedback = feedback
    }

    /// The current decision: the latest one.
    public var decision: Decision? { decisions.last?.decision }
}
