public import Foundation
public import SwitchyardCore

/// A decided ticket whose department an agent confirmed: a thumbs up on a decision (its
/// department) or a thumbs down that named the right one. What the model stage shows a large
/// language model as examples of past tickets like the one it is asked about.
public struct ConfirmedExample: Sendable, Hashable {
    public var ticketID: TicketID
    public var subject: String
    public var body: String
    /// The department the agent confirmed.
    public var department: DepartmentID
    /// When the agent's feedback was given.
    public var confirmedAt: Date

    public init(ticketID: TicketID, subject: String, body: String, department: DepartmentID, confirmedAt: Date) {
        self.ticketID = ticketID
        self.subject = subject
        self.body = body
        self.department = department
        self.confirmedAt = confirmedAt
    }
}
