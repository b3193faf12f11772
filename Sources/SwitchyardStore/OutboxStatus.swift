/// Where a write-back is in delivery.
public enum OutboxStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for its next attempt.
    case pending
    /// The platform accepted it.
    case delivered
    /// Given up on: listed as a dead letter for a person to look at.
    case dead
}
