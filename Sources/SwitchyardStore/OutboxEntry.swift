public import Foundation
public import SwitchyardCore

/// A write-back request kept in the outbox until the platform accepts it.
public struct OutboxEntry: Sendable, Hashable, Identifiable {
    public typealias ID = Int64

    public var id: ID
    public var ticketID: TicketID
    /// The decision it writes back.
    public var decisionID: DecisionID?
    public var request: WriteBackRequest
    public var status: OutboxStatus
    /// Delivery attempts made so far.
    public var attempts: Int
    /// When it may next be tried (for pending entries).
    public var nextAttemptAt: Date
    public var lastError: String?
    /// HTTP status of the last answer, when there was one.
    public var lastResponseStatus: Int?
    public var createdAt: Date
    public var deliveredAt: Date?
    /// The token of the claim that holds it for delivery, while one does.
    public var claimToken: String?

    public init(
        id: ID,
        ticketID: TicketID,
        decisionID: DecisionID? = nil,
        request: WriteBackRequest,
        status: OutboxStatus,
        attempts: Int,
        nextAttemptAt: Date,
        lastError: String? = nil,
        lastResponseStatus: Int? = nil,
        createdAt: Date,
        deliveredAt: Date? = nil,
        claimToken: String? = nil
    ) {
        self.id = id
        self.ticketID = ticketID
        self.decisionID = decisionID
        self.request = request
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.lastResponseStatus = lastResponseStatus
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
        self.claimToken = claimToken
    }
}
