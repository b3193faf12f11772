/// What the store handed back to the queue when instances were declared dead.
public struct HandOver: Sendable, Hashable {
    /// Ids of the instances declared dead.
    public var instances: [String]
    /// Tickets they held, queued again.
    public var tickets: Int
    /// Write-backs they held, due again.
    public var writeBacks: Int

    public init(instances: [String] = [], tickets: Int = 0, writeBacks: Int = 0) {
        self.instances = instances
        self.tickets = tickets
        self.writeBacks = writeBacks
    }

    public var isEmpty: Bool { instances.isEmpty && tickets == 0 && writeBacks == 0 }
}
