import Synchronization

/// `withDeadline(until:_:)` answered for the operation: the deadline came first.
public struct DeadlineExceeded: Error, Sendable {
    public init() {}
}

/// Runs `operation` and returns its result, or throws `DeadlineExceeded` once `deadline`
/// passes, whichever comes first.
///
/// The caller has its answer at the deadline whatever the operation does. The operation is
/// cancelled then, but not waited for: a race in a task group waits for the loser to notice
/// its cancellation, and one that misses it (a connection-pool request cancelled in the very
/// moment it is queued, a peer that stopped answering) would hold the caller for as long as it
/// likes. What the operation still does after the deadline is done in the background and its
/// result is dropped, so it must be safe to repeat (a store write the platform retries is a
/// duplicate). Cancelling the caller cancels the operation and throws `CancellationError` at
/// once.
public func withDeadline<T: Sendable>(
    until deadline: ContinuousClock.Instant,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(continuation, operation: operation, deadline: deadline)
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The operation, the deadline and the caller's cancellation racing to finish first; the first
/// outcome resumes the caller and cancels the rest.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var outcome: Result<T, any Error>?
        var tasks: [Task<Void, Never>] = []
    }

    private let state = Mutex(State())

    func start(
        _ continuation: CheckedContinuation<T, any Error>,
        operation: @escaping @Sendable () async throws -> T,
        deadline: ContinuousClock.Instant
    ) {
        // The caller may have been cancelled before its continuation existed.
        let earlier = state.withLock { state in
            if state.outcome == nil { state.continuation = continuation }
            return state.outcome
        }
        if let earlier {
            continuation.resume(with: earlier)
            return
        }
        let work = Task {
            do {
                finish(.success(try await operation()))
            } catch {
                finish(.failure(error))
            }
        }
        let timer = Task {
            guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
            finish(.failure(DeadlineExceeded()))
        }
        let finished = state.withLock { state in
            if state.outcome == nil { state.tasks = [work, timer] }
            return state.outcome != nil
        }
        if finished {
            work.cancel()
            timer.cancel()
        }
    }

    func finish(_ outcome: Result<T, any Error>) {
        let (continuation, tasks) = state.withLock { state in
            guard state.outcome == nil else { return (nil as CheckedContinuation<T, any Error>?, [Task<Void, Never>]()) }
            state.outcome = outcome
            defer {
                state.continuation = nil
                state.tasks = []
            }
            return (state.continuation, state.tasks)
        }
        for task in tasks { task.cancel() }
        continuation?.resume(with: outcome)
    }
}
