public import Foundation

/// Wall-clock time, injected so that tests decide what "now" is.
///
/// Durations and deadlines use `ContinuousClock`; this is only for timestamps that are
/// stored or compared across restarts (received-at, leases, retry times).
public protocol TimeSource: Sendable {
    func now() -> Date
}

public struct SystemTimeSource: TimeSource {
    public init() {}
    public func now() -> Date { Date() }
}
