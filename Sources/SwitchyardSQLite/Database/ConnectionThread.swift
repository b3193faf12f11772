import Foundation
import SwitchyardStore

/// One SQLite connection confined to its own dedicated thread, fed by a job queue.
///
/// SQLite calls block (disk I/O, fsync, busy waits), so they never run on Swift's
/// cooperative thread pool: callers enqueue a job and suspend; the thread runs jobs in
/// batches through `perform` and the jobs resume their callers.
///
/// `@unchecked Sendable` is safe because:
/// - `connection` (a non-Sendable C handle wrapper) is used only by the thread started in
///   `init`, which is the only caller of `perform`; `init` hands it over before the
///   thread starts and nothing else keeps a reference to it;
/// - `queue`, `isClosing`, `isFinished` and `closeWaiters` are read and written only while
///   `condition` is locked.
final class ConnectionThread<Job: Sendable>: @unchecked Sendable {
    private let connection: Connection
    private let perform: @Sendable (Connection, [Job]) -> Void
    private let maximumBatch: Int
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var isClosing = false
    private var isFinished = false
    private var closeWaiters: [CheckedContinuation<Void, Never>] = []

    /// Starts a thread named `name` that owns `connection` and hands it up to
    /// `maximumBatch` queued jobs at a time through `perform`.
    init(
        name: String,
        connection: sending Connection,
        maximumBatch: Int = .max,
        perform: @escaping @Sendable (Connection, [Job]) -> Void
    ) {
        self.connection = connection
        self.perform = perform
        self.maximumBatch = maximumBatch
        let thread = Thread { [self] in
            // Named from the thread itself, which also gives the kernel the name (15 bytes at
            // most), so that `top -H`, `perf` and /proc tell the store's threads apart.
            Thread.current.name = name
            runLoop()
        }
        thread.start()
    }

    /// Queues `job`; returns `false` (without queueing) once the thread is closing.
    func enqueue(_ job: Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !isClosing else { return false }
        queue.append(job)
        condition.signal()
        return true
    }

    /// Jobs queued and not yet handed to `perform`.
    var pendingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    /// Refuses new jobs, lets the thread finish the queued ones, close the connection and
    /// exit, and returns once it has. Idempotent.
    func close() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            condition.lock()
            isClosing = true
            if isFinished {
                condition.unlock()
                waiter.resume()
            } else {
                closeWaiters.append(waiter)
                condition.signal()
                condition.unlock()
            }
        }
    }

    /// Like `close()` but without waiting: for owners going away without closing.
    func closeEventually() {
        condition.lock()
        isClosing = true
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        while let batch = nextBatch() {
            perform(connection, batch)
        }
        connection.close()
        condition.lock()
        isFinished = true
        let waiters = closeWaiters
        closeWaiters = []
        condition.unlock()
        for waiter in waiters { waiter.resume() }
    }

    /// Blocks until there is work; `nil` once closing and the queue is empty.
    private func nextBatch() -> [Job]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !isClosing {
            condition.wait()
        }
        guard !queue.isEmpty else { return nil }
        let count = min(queue.count, maximumBatch)
        let batch = Array(queue.prefix(count))
        queue.removeFirst(count)
        return batch
    }
}
