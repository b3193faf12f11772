public import Foundation

/// One running Switchyard process as the store knows it, kept alive by its heartbeat.
///
/// Claims on tickets and write-backs name the instance that holds them, so that when an
/// instance stops heartbeating its claims are handed back at once instead of after a lease.
public struct StoreInstance: Sendable, Hashable, Identifiable {
    /// Unique per process start (`host:pid:random`).
    public var id: String
    public var host: String
    public var processID: Int32
    public var startedAt: Date

    public init(id: String, host: String, processID: Int32, startedAt: Date) {
        self.id = id
        self.host = host
        self.processID = processID
        self.startedAt = startedAt
    }
}
