/// What `switchyard store check` reports: where the store is, its schema, its queue, and
/// whether it takes writes.
public struct StoreStatus: Sendable, Hashable {
    /// "sqlite" or "postgres".
    public var engine: String
    /// The file, or the server and database (never a password).
    public var location: String
    /// Migrations applied, in order.
    public var appliedMigrations: [String]
    /// Migrations this version knows and the database does not have yet.
    public var pendingMigrations: [String]
    /// Tickets queued or claimed.
    public var queueDepth: Int
    /// Write-backs waiting for delivery.
    public var pendingWriteBacks: Int
    /// Instances with a fresh heartbeat.
    public var liveInstances: [StoreInstance]
    /// Whether a write transaction commits.
    public var writable: Bool

    public init(
        engine: String, location: String, appliedMigrations: [String], pendingMigrations: [String], queueDepth: Int,
        pendingWriteBacks: Int, liveInstances: [StoreInstance], writable: Bool
    ) {
        self.engine = engine
        self.location = location
        self.appliedMigrations = appliedMigrations
        self.pendingMigrations = pendingMigrations
        self.queueDepth = queueDepth
        self.pendingWriteBacks = pendingWriteBacks
        self.liveInstances = liveInstances
        self.writable = writable
    }
}
