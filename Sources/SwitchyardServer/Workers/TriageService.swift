import Logging
public import ServiceLifecycle
import SwitchyardCore
import SwitchyardStore

/// Background workers that claim queued tickets, decide them and record the decision
/// together with its write-back, in one transaction.
///
/// Each worker holds at most one ticket. A ticket whose worker dies is claimed again once
/// its lease expires. On graceful shutdown workers stop claiming, finish the ticket they
/// hold, and give it back if recording fails.
public struct TriageService: Service {
    let store: any TicketStore
    let triage: Triage
    let planner: WriteBackPlanner
    let settings: Configuration.TriageSettings
    let work: WorkSignal
    let writeBacks: WorkSignal
    let instance: String
    let timeSource: any TimeSource
    let logger: Logger

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for index in 0..<settings.workers {
                    group.addTask { await runWorker(named: "\(instance)/\(index)") }
                }
            }
        } onGracefulShutdown: {
            work.close()
        }
    }

    private func runWorker(named worker: String) async {
        while !work.isClosed && !Task.isCancelled {
            let seen = work.generation
            let claimed: [QueuedTicket]
            do {
                claimed = try await store.claimQueued(limit: 1, worker: worker, now: timeSource.now(), lease: settings.lease)
            } catch {
                logger.error("Could not claim tickets", metadata: ["error": "\(error)"])
                await work.wait(after: seen, timeout: settings.pollInterval)
                continue
            }
            guard let item = claimed.first else {
                await work.wait(after: seen, timeout: settings.pollInterval)
                continue
            }
            // There may be more: let another idle worker look while this one decides.
            work.notify()
            await process(item, worker: worker)
        }
    }

    private func process(_ item: QueuedTicket, worker: String) async {
        var logger = logger
        logger[metadataKey: "ticket_id"] = "\(item.id)"
        let decision = await triage.decide(item.ticket)
        let request: WriteBackRequest?
        do {
            request = try planner.request(for: decision, ticket: item.ticket)
        } catch {
            // Configuration is checked at start-up so this is not expected; the decision is
            // still recorded and the reason logged.
            logger.error("Could not build the write-back", metadata: ["error": "\(error)"])
            request = nil
        }
        do {
            try await store.recordDecision(decision, for: item.id, worker: worker, writeBack: request, now: timeSource.now())
            logger.debug(
                "Ticket decided",
                metadata: [
                    "stage": "\(decision.provenance.stage.rawValue)", "department": "\(decision.department)",
                ])
            if request != nil { writeBacks.notify() }
        } catch StoreError.leaseLost {
            logger.notice("Lease expired while deciding; another worker owns the ticket now")
        } catch {
            logger.error("Could not record the decision; giving the ticket back", metadata: ["error": "\(error)"])
            try? await store.release(item.id, worker: worker)
        }
    }
}
