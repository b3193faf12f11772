import SwitchyardCore
import SwitchyardTestSupport
import Testing

@Suite("withDeadline: an answer by the deadline, whatever the operation does")
struct DeadlineTests {
    struct Refused: Error {}

    @Test("the operation's value or error comes back when it finishes first")
    func operationFirst() async throws {
        let value = try await withDeadline(until: .now + .seconds(30)) { 42 }
        #expect(value == 42)
        await #expect(throws: Refused.self) {
            try await withDeadline(until: .now + .seconds(30)) { () async throws -> Int in throw Refused() }
        }
    }

    @Test("an operation that ignores cancellation does not hold the caller past the deadline")
    func deadlineFirst() async throws {
        // Deaf to cancellation and opened only after withDeadline returned: a race that waited
        // for the operation would never return.
        let gate = Gate()
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(until: .now + .milliseconds(200)) { await gate.wait() }
        }
        gate.open()
    }

    @Test("cancelling the caller throws CancellationError at once, even while the operation keeps running")
    func callerCancelled() async throws {
        let gate = Gate()
        let started = Gate()
        let caller = Task {
            try await withDeadline(until: .now + .seconds(60)) {
                started.open()
                await gate.wait()
            }
        }
        await started.wait()
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        gate.open()
    }

    @Test("a caller cancelled before it starts does not run into the deadline")
    func cancelledBeforeStart() async throws {
        let caller = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await withDeadline(until: .now + .seconds(60)) { () async throws -> Int in
                try await Task.sleep(for: .seconds(60))
                return 1
            }
        }
        await #expect(throws: CancellationError.self) { try await caller.value }
    }
}
