public import Foundation
public import SwitchyardCore

/// Durable storage for the pipeline: the intake queue, decisions, the write-back outbox,
/// agents' feedback, trained model artifacts, and the instances that share the store.
///
/// Two engines implement it (SQLite for one process, PostgreSQL for replicas) and pass one
/// conformance suite. Every write returns only after it is durably committed. Text is stored
/// as given except U+0000, which no PostgreSQL text column holds: both engines store it as
/// U+FFFD.
public protocol TicketStore: Sendable {
    /// "sqlite" or "postgres".
    var engine: String { get }

    // MARK: Intake

    /// Persists a new ticket as `queued`, or finds the earlier one with the same
    /// (ticket.source, idempotencyKey), whichever instance stored it. Returns after the commit
    /// is durable.
    ///
    /// A ticket `deferredUntil` a time (a low-priority source's) waits behind the others: it is
    /// claimed before then only by a claim that includes deferred tickets (an idle pipeline),
    /// and from then on like any other.
    func accept(_ ticket: Ticket, idempotencyKey: String, receivedAt: Date, deferredUntil: Date?) async throws -> IntakeOutcome

    /// An update of the ticket `ticket.source` sent before as `ticket.externalID` (the latest
    /// one, if several). When the update carries a subject or body that differs from the
    /// stored one, or `retriage` is set, the stored ticket takes the update's fields and is
    /// queued again (a decision being made meanwhile loses its claim, so the new text is what
    /// gets decided); otherwise nothing is written. Returns after the commit is durable.
    func revise(_ ticket: Ticket, retriage: Bool, receivedAt: Date) async throws -> RevisionOutcome

    // MARK: Instances

    /// Announces a starting process. Claims held by instances that are dead are handed back:
    /// those whose heartbeat is older than `staleBefore` and, where the engine allows only one
    /// process (SQLite), every other instance.
    func register(_ instance: StoreInstance, now: Date, staleBefore: Date) async throws -> HandOver

    /// Keeps `instance` alive, and hands back the claims of instances whose heartbeat is older
    /// than `staleBefore`. Registers the instance again if it was declared dead meanwhile.
    func heartbeat(_ instance: StoreInstance, now: Date, staleBefore: Date) async throws -> HandOver

    /// A process stopping cleanly: its claims go back at once (write-backs due at `now`) and it
    /// is forgotten.
    func retire(_ instance: StoreInstance, now: Date) async throws

    // MARK: Queue

    /// Claims up to `limit` tickets that are queued, or claimed with an expired lease
    /// (lease_expires_at <= now), oldest first; sets status claimed, holder `claim`,
    /// lease_expires_at = now + lease, attempts += 1. Concurrent claimers, in any process,
    /// never get the same ticket.
    ///
    /// Tickets deferred until after `now` are left out, unless `includingDeferred`: then they
    /// fill what the others leave of `limit`, earliest due first. A claimed ticket is no longer
    /// deferred (given back or claimed again, it waits behind no one).
    func claimQueued(limit: Int, claim: Claim, now: Date, lease: Duration, includingDeferred: Bool) async throws -> [QueuedTicket]

    /// Claims up to `limit` tickets that are still deferred (a low-priority source's, before
    /// they are due), earliest due first, for `lease`: what is sent to a provider's batch API,
    /// whose answer may take most of the ticket's delay. Claimed, a ticket is no longer deferred.
    func claimDeferred(limit: Int, claim: Claim, now: Date, lease: Duration) async throws -> [QueuedTicket]

    /// Atomically: adds the decision to the ticket's history (it becomes the current one),
    /// marks the ticket decided, and adds an outbox entry for each write-back request, unless
    /// the ticket's previous decision has the same department, priority and tags (a ticket
    /// decided again after an update, to the same effect, is not written back twice: the
    /// platform's echo of a write-back can never loop).
    /// Throws `leaseLost` if `claim` no longer holds the ticket; nothing is written then.
    @discardableResult
    func recordDecision(_ decision: Decision, for id: TicketID, claim: Claim, writeBacks: [WriteBackRequest], now: Date)
        async throws -> DecisionID

    /// Replaces a claimed ticket's content with `ticket`'s: what its adapter read from the
    /// platform's API before deciding it (HubSpot's webhooks carry no text). Subject, body and
    /// original body, requester, tags, channel, language, custom fields and the platform's
    /// priority and status; a purged ticket has its text again. Throws `leaseLost` when `claim`
    /// no longer holds the ticket (an update took it): nothing is written then.
    func replaceContent(of id: TicketID, with ticket: Ticket, claim: Claim) async throws

    /// Gives a claimed ticket back to the queue (graceful shutdown), deferred until
    /// `deferredUntil` when given (a low-priority ticket taken before it was due). No-op if
    /// `claim` does not hold it.
    func release(_ id: TicketID, claim: Claim, deferredUntil: Date?) async throws

    /// Number of tickets queued or claimed (not yet decided).
    func queueDepth() async throws -> Int

    /// Everything known about one ticket, or nil.
    func ticket(_ id: TicketID) async throws -> TicketRecord?

    /// The ids of decided tickets received at or after `since`, oldest first, at most
    /// `limit` (`rules replay` reads each one with ``ticket(_:)``).
    func decidedTicketIDs(receivedSince since: Date, limit: Int) async throws -> [TicketID]

    /// Per rule id: the decisions it made (stage `rule` or `fallback_rule`) or annotated, the
    /// last one, and the thumbs on the decisions it made. Rules without decisions are absent.
    func ruleStatistics() async throws -> [String: RuleStatistics]

    /// Tickets whose department agents confirmed, most recently confirmed first, at most
    /// `limit`: for each ticket its latest feedback, when that is a thumbs up (the judged
    /// decision's department) or a thumbs down naming a department (that one). A thumbs down
    /// without a department confirms nothing; purged tickets (no text left) are absent.
    func confirmedExamples(limit: Int) async throws -> [ConfirmedExample]

    /// The decisions made at or after `since` that agents judged, each with the latest
    /// verdict on it, newest decision first, at most `limit`.
    func judgedDecisions(decidedSince since: Date, limit: Int) async throws -> [JudgedDecision]

    /// How many decisions were made at or after `since`, by UTC day, stage and department
    /// (every decision, a ticket decided again counted again), earliest day first.
    func decisionVolume(decidedSince since: Date) async throws -> [DecisionVolume]

    /// Adds feedback on decision `decisionID` of the ticket (nil: its current decision).
    /// Throws `ticketNotFound`, or `decisionNotFound` when the ticket has no such decision
    /// (or no decision yet).
    @discardableResult
    func addFeedback(_ feedback: Feedback, to id: TicketID, decision decisionID: DecisionID?) async throws -> DecisionID

    // MARK: Outbox

    /// Claims due pending write-backs (next_attempt_at <= now) of `lane`, oldest first, for
    /// `claim`, pushing their next_attempt_at to now + lease; concurrent deliverers in any
    /// process never get the same entry.
    func claimDueWriteBacks(in lane: WriteBackLane, limit: Int, claim: Claim, now: Date, lease: Duration) async throws
        -> [OutboxEntry]

    /// Records a successful delivery (attempts += 1). Throws `writeBackClaimLost` when `claim`
    /// no longer holds the entry: nothing is written then.
    func markWriteBackDelivered(_ id: OutboxEntry.ID, claim: Claim, responseStatus: Int, at: Date) async throws

    /// Records a failed attempt (attempts += 1, last_error). `retryAt` nil → dead letter.
    /// Throws `writeBackClaimLost` when `claim` no longer holds the entry.
    func markWriteBackFailed(
        _ id: OutboxEntry.ID, claim: Claim, error: String, responseStatus: Int?, retryAt: Date?, at: Date
    ) async throws

    /// Puts a dead letter back in the queue, due at `now`, with its attempts counted from zero
    /// (an operator fixed what made it fail); its last error stays until the next attempt.
    /// Throws `writeBackNotFound`, or `writeBackNotDead` for an entry that is not dead.
    func retryWriteBack(_ id: OutboxEntry.ID, now: Date) async throws -> OutboxEntry

    /// Outbox entries filtered by status (nil = all), newest first.
    func writeBacks(status: OutboxStatus?, limit: Int) async throws -> [OutboxEntry]

    /// Earliest next_attempt_at among the pending entries of `lane` (to know how long to
    /// wait), or nil.
    func nextWriteBackDue(in lane: WriteBackLane) async throws -> Date?

    // MARK: Shared work

    /// A stored model artifact (the trained local model) and the fingerprint of the data it
    /// was built from, or nil.
    func artifact(named name: String) async throws -> StoredArtifact?

    /// Stores `artifact` under `name`, replacing an earlier one.
    func saveArtifact(_ artifact: StoredArtifact, named name: String) async throws

    /// Takes or renews the lease on the job `name` (training, retention) for `owner` until
    /// now + duration; `true` when `owner` holds it. One holder at a time across instances.
    func acquireJobLease(_ name: String, owner: String, now: Date, duration: Duration) async throws -> Bool

    /// Reserves `amount` (millionths of a dollar) of `provider`'s spending on `day`
    /// (`YYYY-MM-DD`, UTC) when reserved plus spent plus `amount` stays within `cap`; `false`
    /// otherwise, and nothing changes. Atomic across instances: concurrent reservations never
    /// together pass the cap.
    func reserveSpending(_ amount: Int64, provider: String, day: String, cap: Int64) async throws -> Bool

    /// Settles a reservation made by ``reserveSpending(_:provider:day:cap:)``: `reserved` is
    /// given back and `spent` (what the call cost; it may exceed the reservation) counted.
    func settleSpending(reserved: Int64, spent: Int64, provider: String, day: String) async throws

    /// `provider`'s spending on `day`; zero when nothing was reserved.
    func spending(provider: String, day: String) async throws -> Spending

    /// The answer cached under `key` (a model answer's JSON) unless it expired by `now`.
    func cachedAnswer(forKey key: String, now: Date) async throws -> String?

    /// Caches `answer` under `key` until `expiresAt`, replacing an earlier entry.
    func cacheAnswer(_ answer: String, forKey key: String, expiresAt: Date) async throws

    /// Removes cached answers that expired by `now`; returns how many.
    func purgeExpiredAnswers(now: Date) async throws -> Int

    /// Removes ticket text (subject, body, custom fields) and requester fields of tickets
    /// received before `cutoff` that are decided; decisions, feedback and tags stay. Returns
    /// how many tickets were purged.
    func purgePersonalData(receivedBefore cutoff: Date, now: Date) async throws -> Int

    // MARK: Operations

    /// Connectivity, schema, queue and writability, for operators and readiness.
    func status(now: Date, staleBefore: Date) async throws -> StoreStatus

    /// Calls `onNewTicket` whenever another process queues a ticket, until the task is
    /// cancelled. Returns at once where no other process can (SQLite).
    func watchForTickets(_ onNewTicket: @escaping @Sendable () -> Void) async throws

    /// Finishes pending writes and releases the engine's resources. Idempotent.
    func close() async throws
}

extension TicketStore {
    /// Persists a ticket that waits behind no one; see ``accept(_:idempotencyKey:receivedAt:deferredUntil:)``.
    public func accept(_ ticket: Ticket, idempotencyKey: String, receivedAt: Date) async throws -> IntakeOutcome {
        try await accept(ticket, idempotencyKey: idempotencyKey, receivedAt: receivedAt, deferredUntil: nil)
    }

    /// Gives a claimed ticket back to the queue, to be claimed at once; see ``release(_:claim:deferredUntil:)``.
    public func release(_ id: TicketID, claim: Claim) async throws {
        try await release(id, claim: claim, deferredUntil: nil)
    }

    /// Claims tickets, deferred ones included; see ``claimQueued(limit:claim:now:lease:includingDeferred:)``.
    public func claimQueued(limit: Int, claim: Claim, now: Date, lease: Duration) async throws -> [QueuedTicket] {
        try await claimQueued(limit: limit, claim: claim, now: now, lease: lease, includingDeferred: true)
    }
}
