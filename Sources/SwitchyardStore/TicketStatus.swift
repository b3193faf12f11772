/// Where a stored ticket is in the pipeline.
public enum TicketStatus: String, Sendable, Codable {
    /// Waiting for a triage worker.
    case queued
    /// Held by a triage worker until its lease expires.
    case claimed
    /// A decision is stored.
    case decided
}
