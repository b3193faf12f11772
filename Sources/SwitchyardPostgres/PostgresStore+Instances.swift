public import Foundation
import PostgresNIO
public import SwitchyardStore

extension PostgresStore {
    enum UpsertInstance: StoreStatement {
        static let sql = """
            INSERT INTO instances (id, host, pid, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
            """
    }

    enum ForgetStaleInstances: StoreStatement {
        static let sql = "DELETE FROM instances WHERE heartbeat_at < $1 AND id <> $2 RETURNING id"
    }

    enum ForgetInstance: StoreStatement {
        static let sql = "DELETE FROM instances WHERE id = $1 RETURNING id"
    }

    /// Queues again every ticket claim that no live instance holds.
    enum RequeueOrphanedTickets: StoreStatement {
        static let sql = """
            UPDATE tickets SET status = 'queued', claimed_by = NULL, claimed_instance = NULL, lease_expires_at = NULL
            WHERE status = 'claimed'
                AND (claimed_instance IS NULL OR NOT EXISTS (SELECT 1 FROM instances WHERE instances.id = tickets.claimed_instance))
            RETURNING id
            """
    }

    /// Makes every write-back claim that no live instance holds due now.
    enum ReleaseOrphanedWriteBacks: StoreStatement {
        static let sql = """
            UPDATE outbox SET claimed_by = NULL, claimed_instance = NULL, next_attempt_at = least(next_attempt_at, $1)
            WHERE status = 'pending' AND claimed_by IS NOT NULL
                AND (claimed_instance IS NULL OR NOT EXISTS (SELECT 1 FROM instances WHERE instances.id = outbox.claimed_instance))
            RETURNING id
            """
    }

    /// Replicas share the database, so only instances whose heartbeat is stale are dead.
    public func register(_ instance: StoreInstance, now: Date, staleBefore: Date) async throws -> HandOver {
        try await heartbeat(instance, now: now, staleBefore: staleBefore)
    }

    public func heartbeat(_ instance: StoreInstance, now: Date, staleBefore: Date) async throws -> HandOver {
        try await withTransaction { [self] connection in
            try await connection.rows(UpsertInstance.self, instanceArguments(instance, now: now), logger: logger)
            let dead = try await connection.rows(
                ForgetStaleInstances.self, Arguments { $0.add(staleBefore); $0.add(instance.id) }.bindings, logger: logger)
            return try await handOver(dead: dead, now: now, on: connection)
        }
    }

    public func retire(_ instance: StoreInstance, now: Date) async throws {
        try await withTransaction { [self] connection in
            let dead = try await connection.rows(ForgetInstance.self, Arguments { $0.add(instance.id) }.bindings, logger: logger)
            _ = try await handOver(dead: dead, now: now, on: connection)
        }
    }

    private func instanceArguments(_ instance: StoreInstance, now: Date) -> PostgresBindings {
        Arguments { arguments in
            arguments.add(instance.id)
            arguments.add(instance.host)
            arguments.add(Int(instance.processID))
            arguments.add(instance.startedAt)
            arguments.add(now)
        }.bindings
    }

    private func handOver(dead: [PostgresRow], now: Date, on connection: PostgresConnection) async throws -> HandOver {
        let instances = try dead.map { try RowReader($0, table: "instances").value(0, as: String.self) }
        let tickets = try await connection.rows(RequeueOrphanedTickets.self, logger: logger).count
        let writeBacks = try await connection.rows(
            ReleaseOrphanedWriteBacks.self, Arguments { $0.add(now) }.bindings, logger: logger
        ).count
        return HandOver(instances: instances, tickets: tickets, writeBacks: writeBacks)
    }

    enum AcquireJobLease: StoreStatement {
        static let sql = """
            INSERT INTO job_leases (name, owner, expires_at) VALUES ($1, $2, $3)
            ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
            WHERE job_leases.owner = excluded.owner OR job_leases.expires_at <= $4
            RETURNING name
            """
    }

    public func acquireJobLease(_ name: String, owner: String, now: Date, duration: Duration) async throws -> Bool {
        let arguments = Arguments { arguments in
            arguments.add(name)
            arguments.add(owner)
            arguments.add(now.addingTimeInterval(duration.timeInterval))
            arguments.add(now)
        }
        return try await withConnection { [self] connection in
            try await !connection.rows(AcquireJobLease.self, arguments.bindings, logger: logger).isEmpty
        }
    }

    enum PurgePersonalData: StoreStatement {
        static let sql = """
            UPDATE tickets SET subject = '', body = '', original_body = NULL, requester_name = NULL, requester_email = NULL,
                custom_fields = '{}'::jsonb, purged_at = $2
            WHERE status = 'decided' AND purged_at IS NULL AND received_at < $1
            RETURNING id
            """
    }

    public func purgePersonalData(receivedBefore cutoff: Date, now: Date) async throws -> Int {
        try await withConnection { [self] connection in
            try await connection.rows(PurgePersonalData.self, Arguments { $0.add(cutoff); $0.add(now) }.bindings, logger: logger)
                .count
        }
    }

    enum SelectArtifact: StoreStatement {
        static let sql = "SELECT fingerprint, data FROM artifacts WHERE name = $1"
    }

    enum UpsertArtifact: StoreStatement {
        static let sql = """
            INSERT INTO artifacts (name, fingerprint, data) VALUES ($1, $2, $3)
            ON CONFLICT (name) DO UPDATE SET fingerprint = excluded.fingerprint, data = excluded.data
            """
    }

    public func artifact(named name: String) async throws -> StoredArtifact? {
        try await withConnection { [self] connection in
            try await connection.rows(SelectArtifact.self, Arguments { $0.add(name) }.bindings, logger: logger).first.map { row in
                let reader = RowReader(row, table: "artifacts")
                return StoredArtifact(fingerprint: try reader.value(0), data: try reader.value(1, as: Data.self))
            }
        }
    }

    public func saveArtifact(_ artifact: StoredArtifact, named name: String) async throws {
        let arguments = Arguments { arguments in
            arguments.add(name)
            arguments.add(artifact.fingerprint)
            arguments.add(ByteBuffer(bytes: artifact.data))
        }
        try await withConnection { [self] connection in
            try await connection.rows(UpsertArtifact.self, arguments.bindings, logger: logger)
        }
    }

    enum PendingWriteBacks: StoreStatement {
        static let sql = "SELECT count(*) FROM outbox WHERE status = 'pending'"
    }

    enum LiveInstances: StoreStatement {
        static let sql = "SELECT \(ColumnList.instances.postgres()) FROM instances WHERE heartbeat_at >= $1 ORDER BY started_at, id"
    }

    enum ProbeWrite: StoreStatement {
        static let sql = """
            INSERT INTO job_leases (name, owner, expires_at) VALUES ('store-check', 'store-check', $1)
            ON CONFLICT (name) DO UPDATE SET expires_at = excluded.expires_at
            """
    }

    enum SchemaExists: StoreStatement {
        static let sql = "SELECT to_regclass('schema_migrations') IS NOT NULL"
    }

    public func status(now: Date, staleBefore: Date) async throws -> StoreStatus {
        let migrated = try await withConnection { [self] connection in
            try await connection.rows(SchemaExists.self, logger: logger).first.map {
                try RowReader($0, table: "pg_class").value(0, as: Bool.self)
            } ?? false
        }
        guard migrated else {
            // A database Switchyard never migrated: nothing to count yet, and no table to probe.
            return StoreStatus(
                engine: engine, location: settings.location, appliedMigrations: [],
                pendingMigrations: PostgresSchema.migrations.map(\.name), queueDepth: 0, pendingWriteBacks: 0,
                liveInstances: [], writable: false)
        }
        let (applied, depth, pending, live) = try await withConnection { [self] connection in
            (
                try await appliedMigrations(on: connection),
                try await queueDepth(on: connection),
                try await connection.rows(PendingWriteBacks.self, logger: logger).first.map {
                    try RowReader($0, table: "outbox").value(0, as: Int.self)
                } ?? 0,
                try await connection.rows(LiveInstances.self, Arguments { $0.add(staleBefore) }.bindings, logger: logger).map {
                    try StoreInstance(row: RowReader($0, table: "instances"))
                }
            )
        }
        let writable: Bool
        do {
            try await withConnection { [self] connection in
                try await connection.rows(ProbeWrite.self, Arguments { $0.add(now) }.bindings, logger: logger)
            }
            writable = true
        } catch {
            logger.warning("Store check could not write", metadata: ["error": "\(error)"])
            writable = false
        }
        return StoreStatus(
            engine: engine, location: settings.location, appliedMigrations: applied,
            pendingMigrations: PostgresSchema.migrations.map(\.name).filter { !applied.contains($0) }, queueDepth: depth,
            pendingWriteBacks: pending, liveInstances: live, writable: writable)
    }

    /// Listens on the ticket channel on a connection of its own from the pool; reconnects
    /// with a growing pause (up to 5 s) when the connection drops, until cancelled.
    public func watchForTickets(_ onNewTicket: @escaping @Sendable () -> Void) async throws {
        var pause = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.ticketChannel) { notifications in
                        pause = .milliseconds(100)
                        // Anything queued while not listening: look once.
                        onNewTicket()
                        for try await _ in notifications { onNewTicket() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning(
                    "Lost the ticket notification channel; workers poll until it is back",
                    metadata: ["error": "\(Self.storeError(error))"])
            }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(5))
        }
    }
}
