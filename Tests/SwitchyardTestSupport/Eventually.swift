/// Checks `condition` until it returns a value or `timeout` passes; a test awaits what it
/// expects instead of sleeping for a fixed time.
public struct TimedOut: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

public func eventually<T>(
    timeout: Duration = .seconds(60),
    _ what: @autoclosure () -> String = "condition",
    _ condition: () async throws -> T?
) async throws -> T {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if let value = try await condition() { return value }
        guard clock.now < deadline else { throw TimedOut(description: "\(what()) not met within \(timeout)") }
        // Yield briefly between checks; the deadline, not this pause, bounds the wait.
        try await Task.sleep(for: .milliseconds(5))
    }
}
