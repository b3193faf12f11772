import SwitchyardTriage
import Foundation
import Logging
public import ServiceLifecycle
import SwitchyardCore
import SwitchyardStore
import Synchronization

/// Delivers queued write-backs to the platforms, with retries and exponential backoff, one
/// lane per adapter.
///
/// 2xx marks an entry delivered. What ``PlatformClient`` calls retryable (408, 409, 425, 429,
/// 5xx, connection errors, a spent rate limit) is retried, after the platform's wait when it
/// gives one, until `max_attempts`; anything else is permanent, a redirect included.
/// Entries that cannot be delivered become dead letters, listed by
/// `GET /v1/write-backs?status=dead` with the platform's status and error body.
public struct WriteBackService: Service, CustomStringConvertible {
    let store: any TicketStore
    let client: PlatformClient
    let adapters: [String: AdapterConfiguration]
    let settings: Configuration.WriteBackSettings
    let signal: WorkSignal
    let instance: StoreInstance
    let timeSource: any TimeSource
    let metrics: TriageMetrics
    let logger: Logger

    /// How often to look for due entries when nothing signals.
    private var idleInterval: Duration { .seconds(5) }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await deliverUntilClosed()
        } onGracefulShutdown: {
            signal.close()
        }
    }

    /// One delivery lane per enabled adapter, each with its own slots (the adapter's
    /// `concurrency`, else `write_back.concurrency`), so that a platform that is slow or down
    /// holds back only its own write-backs; and one lane, a slot wide, for entries whose adapter
    /// is no longer enabled, which become dead letters that say so.
    private func deliverUntilClosed() async {
        let names = adapters.keys.sorted()
        await withDiscardingTaskGroup { group in
            for name in names {
                group.addTask {
                    await deliver(.adapter(name), slots: adapters[name]?.concurrency ?? settings.concurrency)
                }
            }
            group.addTask { await deliver(.otherThan(names), slots: 1) }
        }
    }

    /// Keeps up to `slots` deliveries of `lane` in flight, claiming more as each one ends
    /// rather than in lock-step batches: one slow call does not hold back the deliveries
    /// claimed beside it. On shutdown the calls in flight finish first.
    private func deliver(_ lane: WriteBackLane, slots: Int) async {
        let inFlight = InFlight()
        let label = if case .adapter(let name) = lane { name } else { "other" }
        await withDiscardingTaskGroup { group in
            var claims = 0
            while !signal.isClosed && !Task.isCancelled {
                let seen = signal.generation
                let free = slots - inFlight.count.withLock { $0 }
                guard free > 0 else {
                    // A delivery that ends signals, so this wakes as soon as a slot is free.
                    await signal.wait(after: seen, timeout: idleInterval)
                    continue
                }
                // Every lane wakes on every signal: ask with a read whether this one has anything
                // due before claiming, which takes the store's writer.
                let untilDue = await waitUntilDue(lane)
                guard untilDue == .zero else {
                    await signal.wait(after: seen, timeout: untilDue)
                    continue
                }
                claims += 1
                let claim = Claim(instance: instance.id, token: "\(instance.id)/outbox/\(label)/\(claims)")
                let due: [OutboxEntry]
                do {
                    due = try await store.claimDueWriteBacks(
                        in: lane, limit: free, claim: claim, now: timeSource.now(), lease: settings.timeout * 2)
                } catch {
                    logger.error("Could not read the outbox", metadata: ["lane": "\(lane)", "error": "\(error)"])
                    await signal.wait(after: seen, timeout: idleInterval)
                    continue
                }
                if due.isEmpty {
                    // Another replica claimed what was due: the next read says how long to wait.
                    continue
                }
                inFlight.count.withLock { $0 += due.count }
                for entry in due {
                    group.addTask {
                        await deliver(entry, claim: claim)
                        inFlight.count.withLock { $0 -= 1 }
                        signal.notify()
                    }
                }
            }
        }
    }

    /// How many deliveries of one lane are in flight, shared by its claiming loop and its
    /// deliveries.
    private final class InFlight: Sendable {
        let count = Mutex(0)
    }

    /// Until `lane`'s next entry is due, at most `idleInterval`; zero when one is due now, or
    /// when the store cannot say (the claim then reports what is wrong).
    private func waitUntilDue(_ lane: WriteBackLane) async -> Duration {
        let next: Date?
        do {
            next = try await store.nextWriteBackDue(in: lane)
        } catch {
            return .zero
        }
        guard let next else { return idleInterval }
        let seconds = next.timeIntervalSince(timeSource.now())
        guard seconds > 0 else { return .zero }
        return min(idleInterval, .milliseconds(Int64(seconds * 1000) + 1))
    }

    private func deliver(_ entry: OutboxEntry, claim: Claim) async {
        // Identifying metadata goes with each message, as in the triage service, rather than
        // into a logger copy that the stream handler would re-format for every entry.
        let entryMetadata: Logger.Metadata = ["ticket_id": "\(entry.ticketID)", "adapter": "\(entry.request.adapter)"]
        let outcome: PlatformClient.Outcome
        if adapters[entry.request.adapter] == nil {
            // Queued before the adapter was removed or renamed: a dead letter that says so (its
            // credentials are gone), which `POST /v1/write-backs/{id}/retry` can send once the
            // adapter is back.
            outcome = .failed(
                reason: "the \(entry.request.adapter) adapter is not enabled in this configuration (removed or renamed?); "
                    + "enable it and retry the write-back", status: nil, retryable: false, retryAfter: nil)
        } else {
            outcome = await client.send(entry.request)
        }
        let now = timeSource.now()
        do {
            switch outcome {
            case .succeeded(let status, _):
                try await store.markWriteBackDelivered(entry.id, claim: claim, responseStatus: status, at: now)
                metrics.recordWriteBack(adapter: entry.request.adapter, outcome: "delivered")
            case .failed(let reason, let status, let retryable, let retryAfter):
                let attempts = entry.attempts + 1
                if retryable && attempts < settings.maxAttempts {
                    let delay = max(Self.jittered(backoff(afterAttempts: attempts)), retryAfter ?? .zero)
                    let retryAt = now.addingTimeInterval(delay.timeInterval)
                    try await store.markWriteBackFailed(
                        entry.id, claim: claim, error: reason, responseStatus: status, retryAt: retryAt, at: now)
                    metrics.recordWriteBack(adapter: entry.request.adapter, outcome: "retry")
                    logger.warning(
                        "Write-back failed; will retry",
                        metadata: entryMetadata.merging(["reason": "\(reason)", "attempt": "\(attempts)"]) { $1 })
                } else {
                    let final = retryable ? "\(reason) (gave up after \(attempts) attempts)" : reason
                    try await store.markWriteBackFailed(
                        entry.id, claim: claim, error: final, responseStatus: status, retryAt: nil, at: now)
                    metrics.recordWriteBack(adapter: entry.request.adapter, outcome: "dead")
                    logger.error("Write-back is a dead letter", metadata: entryMetadata.merging(["reason": "\(final)"]) { $1 })
                }
            }
        } catch {
            logger.error(
                "Could not record the write-back outcome", metadata: entryMetadata.merging(["error": "\(error)"]) { $1 })
        }
    }

    /// Between half the backoff and the whole of it, at random ("equal jitter"), so that the
    /// write-backs one platform outage failed together do not all come back at the same moment.
    static func jittered(_ delay: Duration) -> Duration {
        let milliseconds = delay.milliseconds
        return .milliseconds(Int64(milliseconds / 2 + Double.random(in: 0...(milliseconds / 2))))
    }

    /// `initial_backoff × 2^(attempts−1)`, capped at `max_backoff`.
    func backoff(afterAttempts attempts: Int) -> Duration {
        var delay = settings.initialBackoff
        for _ in 1..<max(1, attempts) {
            delay *= 2
            if delay >= settings.maxBackoff { return settings.maxBackoff }
        }
        return min(delay, settings.maxBackoff)
    }
}
