public import Foundation
public import SwitchyardCore

/// A decided ticket whose department an agent confirmed: a thumbs up on a decision (its
/// department) or a thumbs down that named the right one. What the model stage shows a large
/// language model as examples of past tickets like the one it is asked about.
public struct ConfirmedExample: Sendable, Hashable {
    public var ticketID: TicketID
    public var subject: String
    public var body: String
    /// The requester's name, which the text may repeat (redaction replaces it).
    public var requesterName: String?
    /// The department the agent confirmed.
    public var department: DepartmentID
    /// When the agent's feedback was given.
    public var confirmedAt: Date

    public init(ticketID: TicketID, subject: String, body: String, requesterName: String? = nil, department: DepartmentID, confirmedAt: Date) {
        self.ticketID = ticketID
        self.subject = subject
        self.body = body
        self.requesterName = requesterName
        self.department = department
        self.confirmedAt = confirmedAt
    }
}
