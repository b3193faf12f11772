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

    public func run() async throws {
        let deciders = DeciderSlots(capacity: settings.workers)
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
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
                        // Low-priority sources' tickets wait until every decider is free (or they are due).
                        claimed = try await store.claimQueued(
                            limit: free, claim: claimant, now: timeSource.now(), lease: settings.lease,
                            includingDeferred: free == settings.workers)
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

    private func process(_ item: QueuedTicket, claimant: Claim) async {
        // The ticket id goes with each message rather than into a logger copy: setting a
        // logger's metadata makes the stream handler format it again, for every ticket, even
        // when nothing is logged.
        let ticketID: Logger.MetadataValue = "\(item.id)"
        var ticket = item.ticket
        if fetcher.fetches(ticket.source) {
            guard let fetched = await fetch(item, claimant: claimant) else { return }
            ticket = fetched
        }
        let decision = await triage.decide(ticket)
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
