public import Foundation
public import SwitchyardStore

extension SQLiteStore {
    /// With SQLite only this process uses the file (its lock says so), so every other
    /// instance in the table is dead: a restarted server resumes what it held at once.
    public func register(_ instance: StoreInstance, now: Date, staleBefore: Date) async throws -> HandOver {
        try await database.write { connection in
            try Self.upsert(instance, now: now, on: connection)
            return try Self.handOver(
                deadInstances: "SELECT id FROM instances WHERE id <> ?1", [instance.id], now: now, on: connection)
        }
    }

    public func heartbeat(_ instance: StoreInstance, now: Date, staleBefore: Date) async throws -> HandOver {
        try await database.write { connection in
            try Self.upsert(instance, now: now, on: connection)
            return try Self.handOver(
                deadInstances: "SELECT id FROM instances WHERE heartbeat_at < ?1 AND id <> ?2", [staleBefore, instance.id],
                now: now, on: connection)
        }
    }

    public func retire(_ instance: StoreInstance, now: Date) async throws {
        try await database.write { connection in
            _ = try Self.handOver(deadInstances: "SELECT id FROM instances WHERE id = ?1", [instance.id], now: now, on: connection)
        }
    }

    private static func upsert(_ instance: StoreInstance, now: Date, on connection: Connection) throws {
        try connection.run(
            """
            INSERT INTO instances (id, host, pid, started_at, heartbeat_at) VALUES (?1, ?2, ?3, ?4, ?5)
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
            """,
            [instance.id, instance.host, Int(instance.processID), instance.startedAt, now])
    }

    /// Forgets the instances `deadInstances` selects and hands back every claim that no live
    /// instance holds (theirs, and claims from before instances were recorded): tickets queued
    /// again, write-backs due at `now`.
    private static func handOver(
        deadInstances sql: String, _ arguments: [any DatabaseValueConvertible], now: Date, on connection: Connection
    ) throws -> HandOver {
        let dead = try connection.query(sql, arguments, table: "instances") { try $0.value(0, as: String.self) }
        for id in dead {
            try connection.run("DELETE FROM instances WHERE id = ?1", [id])
        }
        let tickets = try connection.run(
            """
            UPDATE tickets SET status = 'queued', claimed_by = NULL, claimed_instance = NULL, lease_expires_at = NULL
            WHERE status = 'claimed' AND (claimed_instance IS NULL OR claimed_instance NOT IN (SELECT id FROM instances))
            """)
        let writeBacks = try connection.run(
            """
            UPDATE outbox SET claimed_by = NULL, claimed_instance = NULL, next_attempt_at = min(next_attempt_at, ?1)
            WHERE status = 'pending' AND claimed_by IS NOT NULL
                AND (claimed_instance IS NULL OR claimed_instance NOT IN (SELECT id FROM instances))
            """,
            [now])
        return HandOver(instances: dead, tickets: tickets, writeBacks: writeBacks)
    }

    public func acquireJobLease(_ name: String, owner: String, now: Date, duration: Duration) async throws -> Bool {
        let expiresAt = now.addingTimeInterval(duration.timeInterval)
        return try await database.write { connection in
            try connection.run(
                """
                INSERT INTO job_leases (name, owner, expires_at) VALUES (?1, ?2, ?3)
                ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
                WHERE job_leases.owner = excluded.owner OR job_leases.expires_at <= ?4
                """,
                [name, owner, expiresAt, now]) == 1
        }
    }

    public func purgePersonalData(receivedBefore cutoff: Date, now: Date) async throws -> Int {
        try await database.write { connection in
            try connection.run(
                """
                UPDATE tickets SET subject = '', body = '', original_body = NULL, requester_name = NULL, requester_email = NULL,
                    custom_fields = '{}', purged_at = ?2
                WHERE status = 'decided' AND purged_at IS NULL AND received_at < ?1
                """,
                [cutoff, now])
        }
    }

    public func status(now: Date, staleBefore: Date) async throws -> StoreStatus {
        let (applied, depth, pendingWriteBacks, live) = try await database.read { connection in
            (
                try Database.appliedMigrations(connection),
                try Self.queueDepth(on: connection),
                try connection.queryFirst("SELECT count(*) FROM outbox WHERE status = 'pending'", table: "outbox") {
                    try $0.value(0, as: Int.self)
                } ?? 0,
                try connection.query(
                    "SELECT \(ColumnList.instances.list()) FROM instances WHERE heartbeat_at >= ?1 ORDER BY started_at, id",
                    [staleBefore], table: "instances", StoreInstance.init(row:))
            )
        }
        // A real write, committed and synced: proves the file, the disk and the lock.
        let writable: Bool
        do {
            try await database.write { connection in
                try connection.run(
                    """
                    INSERT INTO job_leases (name, owner, expires_at) VALUES ('store-check', 'store-check', ?1)
                    ON CONFLICT (name) DO UPDATE SET expires_at = excluded.expires_at
                    """, [now])
            }
            writable = true
        } catch {
            logger.warning("Store check could not write", metadata: ["error": "\(error)"])
            writable = false
        }
        return StoreStatus(
            engine: engine, location: path, appliedMigrations: applied,
            pendingMigrations: Schema.migrations.map(\.name).filter { !applied.contains($0) }, queueDepth: depth,
            pendingWriteBacks: pendingWriteBacks, liveInstances: live, writable: writable)
    }
}
