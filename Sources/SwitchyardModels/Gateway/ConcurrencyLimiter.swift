import Synchronization

/// At most `limit` calls to a provider at once; the rest wait in order of arrival, each only
/// until its ticket's deadline. A burst of tickets queues here rather than as `429`s from the
/// provider.
public final class ConcurrencyLimiter: Sendable {
    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var inFlight = 0
        var waiters: [Waiter] = []
        var nextID = 0
    }

    public let limit: Int
    private let state = Mutex(State())

    public init(limit: Int) {
        precondition(limit > 0, "a concurrency limit lets at least one call through")
        self.limit = limit
    }

    /// Calls in flight and calls waiting.
    public var load: (inFlight: Int, waiting: Int) { state.withLock { ($0.inFlight, $0.waiters.count) } }

    /// Takes a slot: at once when one is free, else when one is given back. False when
    /// `deadline` passes or the task is cancelled first (no slot is then held).
    public func acquire(until deadline: ContinuousClock.Instant) async -> Bool {
        let id: Int? = state.withLock { state in
            if state.inFlight < limit, state.waiters.isEmpty {
                state.inFlight += 1
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let cancelled = state.withLock { state in
                    guard !Task.isCancelled else { return true }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return false
                }
                if cancelled {
                    continuation.resume(returning: false)
                    return
                }
                Task { [weak self] in
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    self?.giveUp(id)
                }
            }
        } onCancel: {
            giveUp(id)
        }
    }

    /// Hands a slot back: to the longest waiter, or to the pool.
    public func release() {
        let next: Waiter? = state.withLock { state in
            guard !state.waiters.isEmpty else {
                state.inFlight -= 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume(returning: true)
    }

    /// Takes `id` out of the queue if it is still waiting (its deadline came, or it was cancelled).
    private func giveUp(_ id: Int) {
        let waiter: Waiter? = state.withLock { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(returning: false)
    }
}
