public import Foundation
public import SwitchyardCore

/// Durable storage for the pipeline: the intake queue, decisions, the write-back outbox,
/// agents' feedback and trained model artifacts.
///
/// Every write returns only after it is durably committed.
public protocol TicketStore: Sendable {
    /// Persists a new ticket as `queued`, or finds the earlier one with the same
    /// (ticket.source, idempotencyKey). Returns after the commit is durable.
    func accept(_ ticket: Ticket, idempotencyKey: String, receivedAt: Date) async throws -> IntakeOutcome

    /// Claims up to `limit` tickets that are queued, or claimed with an expired lease
    /// (lease_expires_at <= now), oldest first; sets status claimed, owner `worker`,
    /// lease_expires_at = now + lease, attempts += 1. `worker` names the claim: give each
    /// claim its own name, so that whoever held a ticket before its lease expired cannot
    /// record a decision over the new owner.
    func claimQueued(limit: Int, worker: String, now: Date, lease: Duration) async throws -> [QueuedTicket]

    /// Atomically: stores the decision, marks the ticket decided, and (if given) adds an
    /// outbox entry for the write-back. Throws `StoreError.leaseLost` if `worker` no longer
    /// holds the claim (another worker re-claimed it after expiry) — nothing is written then.
    func recordDecision(_ decision: Decision, for id: TicketID, worker: String, writeBack: WriteBackRequest?, now: Date)
        async throws

    /// Gives a claimed ticket back to the queue (graceful shutdown). No-op if not held by worker.
    func release(_ id: TicketID, worker: String) async throws

    /// Number of tickets queued or claimed (not yet decided).
    func queueDepth() async throws -> Int

    /// Everything known about one ticket, or nil.
    func ticket(_ id: TicketID) async throws -> TicketRecord?

    /// Throws `StoreError.ticketNotFound(id)` if there is no such ticket.
    func addFeedback(_ feedback: Feedback, to id: TicketID) async throws

    /// Claims due pending write-backs (status pending, next_attempt_at <= now), oldest first,
    /// pushing their next_attempt_at to now + lease so a concurrent deliverer skips them.
    func claimDueWriteBacks(limit: Int, now: Date, lease: Duration) async throws -> [OutboxEntry]

    /// Records a successful delivery (attempts += 1).
    func markWriteBackDelivered(_ id: OutboxEntry.ID, responseStatus: Int, at: Date) async throws

    /// Records a failed attempt (attempts += 1, last_error). `retryAt` nil → dead letter.
    func markWriteBackFailed(_ id: OutboxEntry.ID, error: String, retryAt: Date?, at: Date) async throws

    /// Outbox entries filtered by status (nil = all), newest first.
    func writeBacks(status: OutboxStatus?, limit: Int) async throws -> [OutboxEntry]

    /// Earliest next_attempt_at among pending entries (to know how long to wait), or nil.
    func nextWriteBackDue() async throws -> Date?

    /// A stored model artifact (the trained local model) and the fingerprint of the data it
    /// was built from, or nil.
    func artifact(named name: String) async throws -> StoredArtifact?

    /// Stores `artifact` under `name`, replacing an earlier one.
    func saveArtifact(_ artifact: StoredArtifact, named name: String) async throws
}
