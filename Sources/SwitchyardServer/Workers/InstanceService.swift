import Foundation
import Logging
public import ServiceLifecycle
import SwitchyardCore
import SwitchyardStore

/// Keeps this process alive in the store and does the shared chores.
///
/// Every `storage.heartbeat_interval` it renews the instance's heartbeat, which also hands
/// back the claims of instances silent for `storage.instance_timeout` (and wakes the
/// workers to take them); once per hour, whichever replica holds the retention job removes
/// expired cached model answers and personal data older than `storage.retention`. On graceful shutdown, after the workers
/// have stopped, the instance retires and its remaining claims go back at once.
public struct InstanceService: Service, CustomStringConvertible {
    let store: any TicketStore
    let instance: StoreInstance
    let settings: Configuration.StorageSettings
    let work: WorkSignal
    let writeBacks: WorkSignal
    let health: StoreHealth
    let timeSource: any TimeSource
    let logger: Logger

    /// How often the retention job runs (by one replica).
    static let retentionInterval: Duration = .seconds(3600)

    public func run() async throws {
        var lastRetention: Date?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await beat()
            if lastRetention.map({ timeSource.now().timeIntervalSince($0) >= Self.retentionInterval.timeInterval }) ?? true {
                lastRetention = timeSource.now()
                await purge(olderThan: settings.retention)
            }
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: settings.heartbeatInterval)
            }
        }
        do {
            // Not cancelled with the service (a test or an embedding app cancels instead of
            // shutting down gracefully); the store bounds the call.
            try await Task { [store, instance, timeSource] in try await store.retire(instance, now: timeSource.now()) }.value
            logger.info("Instance retired", metadata: ["instance": "\(instance.id)"])
        } catch {
            logger.warning("Could not retire the instance; its claims go back when its heartbeat is stale",
                metadata: ["instance": "\(instance.id)", "error": "\(error)"])
        }
    }

    private func beat() async {
        let now = timeSource.now()
        do {
            let handOver = try await store.heartbeat(
                instance, now: now, staleBefore: now.addingTimeInterval(-settings.instanceTimeout.timeInterval))
            health.recordSuccess()
            handOver.log(to: logger)
            if handOver.tickets > 0 { work.notify() }
            if handOver.writeBacks > 0 { writeBacks.notify() }
        } catch {
            health.recordFailure()
            logger.error("Heartbeat failed: the store is not taking writes", metadata: ["error": "\(error)"])
        }
    }

    /// Removes expired cached model answers and, with `storage.retention`, old ticket text.
    private func purge(olderThan retention: Duration?) async {
        let now = timeSource.now()
        do {
            guard try await store.acquireJobLease("retention", owner: instance.id, now: now, duration: Self.retentionInterval)
            else { return }
            let expired = try await store.purgeExpiredAnswers(now: now)
            if expired > 0 { logger.info("Removed expired cached model answers", metadata: ["answers": "\(expired)"]) }
            guard let retention else { return }
            let purged = try await store.purgePersonalData(receivedBefore: now.addingTimeInterval(-retention.timeInterval), now: now)
            if purged > 0 {
                logger.notice("Retention removed ticket text and requester data", metadata: ["tickets": "\(purged)"])
            }
        } catch {
            logger.error("Retention failed; it runs again within the hour", metadata: ["error": "\(error)"])
        }
    }
}

extension HandOver {
    /// Logs what a heartbeat or a start handed back from dead instances, if anything.
    func log(to logger: Logger) {
        guard !isEmpty else { return }
        logger.notice(
            "Took over the claims of stopped instances",
            metadata: [
                "instances": "\(instances.joined(separator: ","))", "tickets": "\(tickets)", "write_backs": "\(writeBacks)",
            ])
    }
}

/// Wakes the triage workers when another replica queues a ticket (PostgreSQL's
/// `LISTEN`/`NOTIFY`); the workers' polling is the backstop.
struct TicketWatchService: Service, CustomStringConvertible {
    let store: any TicketStore
    let work: WorkSignal

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await store.watchForTickets { work.notify() }
            // Engines without other processes return at once: stay until shutdown.
            try await gracefulShutdown()
        }
    }
}
