public import Logging
import SwitchyardCore
import Synchronization

/// Collects one provider's classification requests into batches for its batch API, sends
/// each batch once it holds ``Settings/maxRequests`` requests or its oldest has waited
/// ``Settings/maxWait``, follows it every ``Settings/pollInterval`` and hands each request
/// its own answer.
///
/// Every request waits until its own deadline at most. A batch is cancelled at the provider
/// once none of its requests is waited for any more (each one's deadline passed), so nothing
/// is paid for answers no one reads; once it ended, its files and results are deleted at the
/// provider. ``run()`` does the sending and following; while it is not running, requests
/// wait until their deadlines.
public final class BatchQueue: Sendable {
    public struct Settings: Sendable, Hashable {
        /// The most requests one batch holds.
        public var maxRequests: Int
        /// The longest the oldest request waits for others before its batch is sent.
        public var maxWait: Duration
        /// How often a batch in progress is asked how it stands.
        public var pollInterval: Duration

        public init(maxRequests: Int = 1000, maxWait: Duration = .seconds(60), pollInterval: Duration = .seconds(30)) {
            self.maxRequests = maxRequests
            self.maxWait = maxWait
            self.pollInterval = pollInterval
        }
    }

    /// What a request came to, and the batch that answered it.
    public struct Answer: Sendable {
        public var result: BatchEntryResult
        /// The provider's id of the batch; nil when the request never reached one.
        public var batch: String?
    }

    /// The provider's name, for logs and metrics.
    public let name: String
    public let settings: Settings
    let api: any ProviderBatchAPI
    private let logger: Logger
    private let signal = WorkSignal()
    private let state = Mutex(State())

    private struct Pending: Sendable {
        var id: Int
        var request: ProviderRequest
        var deadline: ContinuousClock.Instant
        var queuedAt: ContinuousClock.Instant
    }

    private struct State {
        var nextID = 0
        /// Requests not yet in a batch, oldest first.
        var pending: [Pending] = []
        /// Everyone waiting for an answer, in a batch or not, by request id.
        var waiting: [Int: CheckedContinuation<Answer, Never>] = [:]
        /// Requests sent in a batch, by request id: the batch's id once created.
        var batches: [Int: String] = [:]
        /// Batches in progress at the provider.
        var inProgress = 0
    }

    public init(name: String, api: any ProviderBatchAPI, settings: Settings, logger: Logger) {
        self.name = name
        self.api = api
        self.settings = settings
        var logger = logger
        logger[metadataKey: "provider"] = "\(name)"
        self.logger = logger
    }

    /// Requests waiting to be sent, and batches the provider is working on.
    public var load: (waiting: Int, batches: Int) {
        state.withLock { ($0.pending.count, $0.inProgress) }
    }

    /// Sends `request` in the next batch and returns its answer, or a failure once `deadline`
    /// passes first (`timedOut`) or the caller is cancelled (`transport`).
    public func submit(_ request: ProviderRequest, until deadline: ContinuousClock.Instant) async -> Answer {
        let clock = ContinuousClock()
        let start = clock.now
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        let outcome: Answer
        do {
            outcome = try await withDeadline(until: deadline) {
                await self.wait(Pending(id: id, request: request, deadline: deadline, queuedAt: start))
            }
        } catch {
            let failure: ClassificationFailure =
                error is DeadlineExceeded
                ? .timedOut(after: clock.now - start) : .transport("cancelled while waiting for the batch")
            outcome = Answer(result: .failed(failure, status: nil), batch: nil)
        }
        // This request's entries end with it, however it ended. A waiter still there (the
        // deadline won the race with the cancellation handler) is resumed, never dropped.
        let (waiter, batch) = state.withLock { state in
            state.pending.removeAll { $0.id == id }
            return (state.waiting.removeValue(forKey: id), state.batches.removeValue(forKey: id))
        }
        waiter?.resume(returning: outcome)
        return Answer(result: outcome.result, batch: outcome.batch ?? batch)
    }

    private func wait(_ pending: Pending) async -> Answer {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Answer, Never>) in
                let cancelled = state.withLock { state in
                    guard !Task.isCancelled else { return true }
                    state.waiting[pending.id] = continuation
                    state.pending.append(pending)
                    return false
                }
                if cancelled {
                    continuation.resume(returning: Answer(result: .failed(.transport("cancelled"), status: nil), batch: nil))
                } else {
                    signal.notify()
                }
            }
        } onCancel: {
            withdraw(pending.id, resuming: .transport("cancelled"))
        }
    }

    /// Stops waiting for request `id`, resuming its waiter with `failure` if it still waits.
    private func withdraw(_ id: Int, resuming failure: ClassificationFailure) {
        answer(id, .failed(failure, status: nil))
    }

    /// Hands request `id` its answer, unless it stopped waiting. (``submit(_:until:)`` drops
    /// the request's entries once it returns.)
    private func answer(_ id: Int, _ result: BatchEntryResult) {
        let (continuation, batch) = state.withLock { state in
            state.pending.removeAll { $0.id == id }
            return (state.waiting.removeValue(forKey: id), state.batches[id])
        }
        continuation?.resume(returning: Answer(result: result, batch: batch))
    }

    // MARK: - Sending and following batches

    /// Sends and follows batches until cancelled. Cancelled, it cancels the batches in
    /// progress at the provider; their requests fail (`transport`).
    public func run() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let seen = signal.generation
                let clock = ContinuousClock()
                let (batch, wake) = state.withLock { state -> ([Pending], ContinuousClock.Instant?) in
                    guard let oldest = state.pending.first else { return ([], nil) }
                    let due = oldest.queuedAt + settings.maxWait
                    guard state.pending.count >= settings.maxRequests || clock.now >= due else { return ([], due) }
                    let batch = Array(state.pending.prefix(settings.maxRequests))
                    state.pending.removeFirst(batch.count)
                    state.inProgress += 1
                    return (batch, nil)
                }
                if !batch.isEmpty {
                    group.addTask { await self.follow(batch) }
                    continue
                }
                if let wake {
                    await signal.wait(after: seen, timeout: wake - clock.now)
                } else {
                    await signal.wait(after: seen)
                }
            }
        }
    }

    /// Sends `entries` as one batch and follows it to its end, its last request's deadline or
    /// the queue's cancellation.
    private func follow(_ entries: [Pending]) async {
        defer { state.withLock { $0.inProgress -= 1 } }
        let ids = entries.map(\.id)
        let api = api
        let batch = entries.map { BatchEntry(customID: Self.customID($0.id), request: $0.request) }
        // Not a child of the queue: stopped while creating, the batch still gets its id, so
        // that it can be cancelled at the provider below.
        let created = await Task { () -> Result<BatchHandle, ClassificationFailure> in
            do throws(ClassificationFailure) { return .success(try await api.create(batch)) } catch { return .failure(error) }
        }.value
        let handle: BatchHandle
        switch created {
        case .success(let created):
            handle = created
        case .failure(let error):
            logger.warning("Could not create a batch", metadata: ["requests": "\(entries.count)", "reason": "\(error)"])
            for id in ids { answer(id, .failed(error, status: error.status)) }
            return
        }
        state.withLock { state in
            for id in ids where state.waiting[id] != nil { state.batches[id] = handle.id }
        }
        let metadata: Logger.Metadata = ["batch": "\(handle.id)", "requests": "\(entries.count)"]
        logger.info("Batch created", metadata: metadata)
        let deadline = entries.map(\.deadline).max() ?? .now
        let clock = ContinuousClock()
        var ended: (results: [String], status: String)?
        while ended == nil {
            do {
                try await Task.sleep(until: min(clock.now + settings.pollInterval, deadline), clock: clock)
            } catch {
                await abandon(handle, entries: entries, metadata: metadata) { _ in
                    .transport("Switchyard stopped before the batch ended")
                }
                return
            }
            guard state.withLock({ state in ids.contains { state.waiting[$0] != nil } }), clock.now < deadline else {
                // No one waits for the answers any more: they would be paid for and not read.
                let now = clock.now
                await abandon(handle, entries: entries, metadata: metadata) { .timedOut(after: now - $0.queuedAt) }
                return
            }
            do {
                switch try await api.progress(of: handle) {
                case .running:
                    continue
                case .ended(let results, let status):
                    ended = (results, status)
                case .failed(let reason):
                    logger.warning("The provider failed the batch", metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
                    for id in ids { answer(id, .failed(.unavailable("the batch failed: \(reason)"), status: nil)) }
                    await discard(handle, results: [], metadata: metadata)
                    return
                }
            } catch {
                // The batch runs on at the provider; the next poll may reach it.
                logger.notice("Could not read the batch's progress", metadata: metadata.merging(["reason": "\(error)"]) { $1 })
            }
        }
        guard let ended else { return }
        do {
            let results = try await api.results(at: ended.results, count: entries.count)
            for id in ids {
                answer(
                    id,
                    results[Self.customID(id)]
                        ?? .failed(.unavailable("the batch ended (\(ended.status)) without an answer for this ticket"), status: nil))
            }
            logger.info("Batch ended", metadata: metadata.merging(["status": "\(ended.status)", "answers": "\(results.count)"]) { $1 })
        } catch {
            logger.warning("Could not read the batch's results", metadata: metadata.merging(["reason": "\(error)"]) { $1 })
            for id in ids { answer(id, .failed(error, status: error.status)) }
        }
        await discard(handle, results: ended.results, metadata: metadata)
    }

    /// Cancels `handle` at the provider, even when the queue itself is being cancelled, and
    /// fails the requests still waiting for it with `failure`.
    private func abandon(
        _ handle: BatchHandle, entries: [Pending], metadata: Logger.Metadata, failure: (Pending) -> ClassificationFailure
    ) async {
        for entry in entries { withdraw(entry.id, resuming: failure(entry)) }
        let api = api
        let logger = logger
        // Not a child of a cancelled task: the cancellation must reach the provider.
        await Task {
            do {
                try await api.cancel(handle)
                logger.info("Batch cancelled: no ticket waits for it any more", metadata: metadata)
            } catch {
                logger.warning("Could not cancel the batch", metadata: metadata.merging(["reason": "\(error)"]) { $1 })
            }
            // Its input file holds ticket text; the provider deletes the batch's results itself.
            do {
                try await api.discard(BatchHandle(id: handle.id, files: handle.files), results: [])
            } catch {
                logger.notice("Could not delete the batch's files", metadata: metadata.merging(["reason": "\(error)"]) { $1 })
            }
        }.value
    }

    private func discard(_ handle: BatchHandle, results: [String], metadata: Logger.Metadata) async {
        do {
            try await api.discard(handle, results: results)
        } catch {
            logger.notice("Could not delete the batch's files at the provider", metadata: metadata.merging(["reason": "\(error)"]) { $1 })
        }
    }

    /// The custom id of request `id` (unique in this process's batches).
    static func customID(_ id: Int) -> String { "ticket-\(id)" }
}

extension ClassificationFailure {
    /// The HTTP status the failure reports, if any.
    var status: Int? {
        if case .httpStatus(let status, _) = self { return status }
        return nil
    }
}
