import Synchronization

/// Wakes a waiting loop (the triage claimer, the write-back deliverer, a batch queue) when there is new work,
/// without losing a wake-up that arrives between "the queue looked empty" and "wait".
///
/// The loop reads `generation` before it looks for work and passes it to `wait(after:)`;
/// if anything was signalled since, the wait returns at once.
public final class WorkSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var isClosed = false
        var nextToken = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Whether `close()` was called: the loop should stop taking new work.
    public var isClosed: Bool { state.withLock { $0.isClosed } }

    /// There is new work: wake every waiter (the few loops that share a signal, such as the
    /// triage claimer and the batch claimer, each look for their own). A burst of
    /// notifications costs each one wake-up.
    public func notify() {
        let waiters = state.withLock { state in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// No more work will be taken: wake every waiter for good (graceful shutdown).
    public func close() {
        let waiters = state.withLock { state in
            state.isClosed = true
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once something was signalled after `seen`, the signal is closed, or the task is cancelled.
    public func wait(after seen: UInt64) async {
        let token = state.withLock { state in
            defer { state.nextToken += 1 }
            return state.nextToken
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.generation != seen || state.isClosed || Task.isCancelled { return true }
                    state.waiters[token] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: token) }
            waiter?.resume()
        }
    }

    /// Like `wait(after:)`, but returns after `timeout` at the latest.
    public func wait(after seen: UInt64, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait(after: seen) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }
}
