import Foundation
import SwitchyardTriage
import Logging
public import ServiceLifecycle
import Synchronization
import SwitchyardCore
import SwitchyardStore

/// Claims queued tickets, decides them and records each decision together with its
/// write-back, in one transaction.
///
/// One claimer takes as many of the oldest queued tickets as there are free deciders, in one
/// transaction, and starts a decider for each; at most `triage.workers` tickets are decided at
/// the same time. (One claim per ticket and worker cost a write transaction each, and during
/// a burst those claims competed with intake for the writer.)
///
/// A ticket whose decider dies is claimed again once its lease expires. Every claim carries a
/// token of its own, so a decider whose lease was taken over cannot record over the new
/// owner. On graceful shutdown the claimer stops claiming, and the deciders finish the tickets
/// they hold and give a ticket back if recording its decision fails.
///
/// When a provider of the chain answers in batches (``Triage/batches``), a second claimer
/// takes low-priority sources' tickets before they are due, for a lease as long as their
/// delay, and decides each through the batch chain without holding a decider: up to
/// ``batchCapacity`` wait for their batches at once. On graceful shutdown those still
/// waiting are given back to the queue (their batches are cancelled), to be decided at once
/// by the next claim, here or on another replica.
public struct TriageService: Service, CustomStringConvertible {
    let store: any TicketStore
    let triage: Triage
    let planner: WriteBackPlanner
    let fetcher: TicketFetcher
    let settings: Configuration.TriageSettings
    let work: WorkSignal
    let writeBacks: WorkSignal
    let instance: StoreInstance
    let timeSource: any TimeSource
    let metrics: TriageMetrics
    let logger: Logger
    /// Each low-priority adapter's `max_delay`, by adapter name.
    var lowPriorityDelays: [String: Duration] = [:]
    /// The most low-priority tickets waiting for batch answers at once.
    var batchCapacity = 0

    public func run() async throws {
        let deciders = DeciderSlots(capacity: settings.workers)
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                if triage.batches && batchCapacity > 0 { group.addTask { await decideInBatches() } }
                var claims = 0
                while !work.isClosed && !Task.isCancelled {
                    let seen = work.generation
                    let free = deciders.free
                    guard free > 0 else {
                        // A decider that finishes while all are busy signals `work`, as does the
                        // last one to finish (the pipeline is idle: deferred tickets may go).
                        await work.wait(after: seen, timeout: settings.pollInterval)
                        continue
                    }
                    claims += 1
                    let claimant = Claim(instance: instance.id, token: "\(instance.id)/\(claims)")
                    let claimed: [QueuedTicket]
                    do {
                        // Low-priority sources' tickets wait until every decider is free (or they are
                        // due), unless they wait for batches.
                        claimed = try await store.claimQueued(
                            limit: free, claim: claimant, now: timeSource.now(), lease: settings.lease,
                            includingDeferred: free == settings.workers && !triage.batches)
                    } catch {
                        logger.error("Could not claim tickets", metadata: ["error": "\(error)"])
                        await work.wait(after: seen, timeout: settings.pollInterval)
                        continue
                    }
                    for item in claimed {
                        deciders.take()
                        group.addTask {
                            await process(item, claimant: claimant)
                            if deciders.release() { work.notify() }
                        }
                    }
                    if claimed.count < free {
                        // The queue is drained: wait for a new ticket, or poll for expired leases.
                        await work.wait(after: seen, timeout: settings.pollInterval)
                    }
                }
            }
        } onGracefulShutdown: {
            work.close()
        }
    }

    /// Claims low-priority tickets before they are due and decides each through the batch
    /// chain, until graceful shutdown; then the tickets still waiting are cancelled and given back.
    private func decideInBatches() async {
        let held = DeciderSlots(capacity: batchCapacity)
        // Long enough for the answer to come at the last moment of the longest delay.
        let lease = (lowPriorityDelays.values.max() ?? .zero) + settings.lease
        await withDiscardingTaskGroup { group in
            var claims = 0
            while !work.isClosed && !Task.isCancelled {
                let seen = work.generation
                let free = held.free
                guard free > 0 else {
                    await work.wait(after: seen, timeout: settings.pollInterval)
                    continue
                }
                claims += 1
                let claimant = Claim(instance: instance.id, token: "\(instance.id)/batch-\(claims)")
                let claimed: [QueuedTicket]
                do {
                    claimed = try await store.claimDeferred(limit: free, claim: claimant, now: timeSource.now(), lease: lease)
                } catch {
                    logger.error("Could not claim low-priority tickets for batches", metadata: ["error": "\(error)"])
                    await work.wait(after: seen, timeout: settings.pollInterval)
                    continue
                }
                for item in claimed {
                    held.take()
                    group.addTask {
                        await process(item, claimant: claimant, inBatch: true)
                        if held.release() { work.notify() }
                    }
                }
                if claimed.count < free { await work.wait(after: seen, timeout: settings.pollInterval) }
            }
            // Stopping: the tickets waiting for batches are given back rather than waited for.
            group.cancelAll()
        }
    }

    /// Until when `item`, a low-priority source's ticket, may wait for a batch: its delay
    /// from arrival, less the model deadline the providers after the batch need; nil for
    /// a source no longer low-priority.
    private func batchDeadline(for item: QueuedTicket) -> ContinuousClock.Instant? {
        guard let due = due(item) else { return nil }
        return ContinuousClock.now + .seconds(due.timeIntervalSince(timeSource.now())) - triage.modelDeadline
    }

    /// When `item`, a low-priority source's ticket, is due: its arrival plus the source's
    /// `max_delay`; nil for a source no longer low-priority.
    private func due(_ item: QueuedTicket) -> Date? {
        lowPriorityDelays[item.ticket.source].map { item.receivedAt.addingTimeInterval($0.timeInterval) }
    }

    private func process(_ item: QueuedTicket, claimant: Claim, inBatch: Bool = false) async {
        // The ticket id goes with each message rather than into a logger copy: setting a
        // logger's metadata makes the stream handler format it again, for every ticket, even
        // when nothing is logged.
        let ticketID: Logger.MetadataValue = "\(item.id)"
        var ticket = item.ticket
        if fetcher.fetches(ticket.source) {
            guard let fetched = await fetch(item, claimant: claimant) else { return }
            ticket = fetched
        }
        let decision = await triage.decide(ticket, batchUntil: inBatch ? batchDeadline(for: item) : nil)
        if inBatch && Task.isCancelled {
            // Stopped while waiting for its batch: decided on what was left, which is not what
            // the source was promised. Given back as low-priority as it came, for the next
            // start's batches.
            do {
                try await store.release(item.id, claim: claimant, deferredUntil: due(item))
            } catch {
                logger.warning(
                    "Stopping: could not give back a ticket waiting for its batch; it is decided again once its lease ends",
                    metadata: ["ticket_id": ticketID, "error": "\(error)"])
                return
            }
            logger.notice("Stopping: a ticket waiting for its batch was given back", metadata: ["ticket_id": ticketID])
            return
        }
        let requests: [WriteBackRequest]
        do {
            requests = try planner.requests(for: decision, ticket: ticket)
        } catch {
            // The configuration is checked at start, so this is a ticket queued before the
            // adapter was removed or renamed: the decision is recorded, and the write-back that
            // cannot be made is logged and counted, never dropped in silence.
            logger.error(
                "Decision recorded but not written back", metadata: ["ticket_id": ticketID, "reason": "\(error)"])
            metrics.recordWriteBack(adapter: item.ticket.source, outcome: "unplanned")
            requests = []
        }
        do {
            try await store.recordDecision(decision, for: item.id, claim: claimant, writeBacks: requests, now: timeSource.now())
            logger.debug(
                "Ticket decided",
                metadata: [
                    "ticket_id": ticketID, "stage": "\(decision.provenance.stage.rawValue)",
                    "department": "\(decision.department)",
                ])
            if !requests.isEmpty { writeBacks.notify() }
        } catch let error as StoreError where error.code == .leaseLost {
            logger.notice("Lease expired while deciding; another claim owns the ticket now", metadata: ["ticket_id": ticketID])
        } catch {
            logger.error(
                "Could not record the decision; giving the ticket back", metadata: ["ticket_id": ticketID, "error": "\(error)"])
            try? await store.release(item.id, claim: claimant)
        }
    }
}

extension TriageService {
    /// Claims of one ticket whose content could not be read, after which it is decided on what
    /// the webhook said.
    static let fetchAttempts = 3

    /// The ticket completed with its content from the platform and stored so; nil when the
    /// fetch failed in a way worth trying again and the ticket has attempts left: the claim is
    /// kept, so the ticket is claimed again once its lease expires (the wait between tries).
    /// A ticket that cannot be fetched is decided on what the webhook said, and logged.
    private func fetch(_ item: QueuedTicket, claimant: Claim) async -> Ticket? {
        let metadata: Logger.Metadata = ["ticket_id": "\(item.id)", "adapter": "\(item.ticket.source)"]
        let fetched: Ticket
        do {
            fetched = try await fetcher.complete(item.ticket)
        } catch {
            if error.retryable && item.attempts < Self.fetchAttempts {
                metrics.recordFetch(adapter: item.ticket.source, outcome: "retry")
                logger.warning(
                    "Could not read the ticket from its platform; trying again after the lease",
                    metadata: metadata.merging(["reason": "\(error)", "attempt": "\(item.attempts)"]) { $1 })
                return nil
            }
            metrics.recordFetch(adapter: item.ticket.source, outcome: "failed")
            logger.error(
                "Could not read the ticket from its platform; deciding on the webhook alone",
                metadata: metadata.merging(["reason": "\(error)"]) { $1 })
            return item.ticket
        }
        metrics.recordFetch(adapter: item.ticket.source, outcome: "fetched")
        do {
            try await store.replaceContent(of: item.id, with: fetched, claim: claimant)
        } catch let error as StoreError where error.code == .leaseLost {
            logger.notice("Lease expired while reading the ticket; another claim owns it now", metadata: metadata)
            return nil
        } catch {
            // Decided on the fetched content all the same; the stored copy keeps the webhook's.
            logger.error("Could not store the ticket's fetched content", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
        return fetched
    }
}

/// How many deciders are free, out of `capacity`.
private final class DeciderSlots: Sendable {
    private let busy = Mutex(0)
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    var free: Int { capacity - busy.withLock { $0 } }

    func take() {
        busy.withLock { $0 += 1 }
    }

    /// Frees a slot; `true` when every slot was busy, so the claimer may be waiting for one,
    /// or when it was the last busy one, so deferred tickets may be claimed now.
    func release() -> Bool {
        busy.withLock { busy in
            defer { busy -= 1 }
            return busy == capacity || busy == 1
        }
    }
}

// Service groups name each service by its description (swift-service-lifecycle 2.13 takes
// `"\(service)"` at start, for logs): a reflected description would print the whole triage
// stage, the local model's weights included, which took minutes. Each service names itself.
extension TriageService {
    public var description: String { "TriageService" }
}

extension WriteBackService {
    public var description: String { "WriteBackService" }
}

extension InstanceService {
    public var description: String { "InstanceService" }
}

extension TicketWatchService {
    var description: String { "TicketWatchService" }
}

extension RuleWatchService {
    var description: String { "RuleWatchService" }
}
