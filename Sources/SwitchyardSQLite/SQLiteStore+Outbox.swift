public import Foundation
import SwitchyardCore
public import SwitchyardStore

extension SQLiteStore {
    public func claimDueWriteBacks(
        in lane: WriteBackLane, limit: Int, claim: Claim, now: Date, lease: Duration
    ) async throws -> [OutboxEntry] {
        guard limit > 0 else { return [] }
        let leasedUntil = now.addingTimeInterval(lease.timeInterval)
        let (condition, adapters) = Self.condition(of: lane, parameter: 3)
        return try await database.write { connection in
            let due = try connection.query(
                """
                SELECT \(ColumnList.outbox.list()) FROM outbox
                WHERE status = 'pending' AND \(condition) AND next_attempt_at <= ?1
                ORDER BY next_attempt_at, id
                LIMIT ?2
                """,
                [now, limit, adapters],
                table: "outbox",
                OutboxEntry.init(row:)
            )
            return try due.map { entry in
                try connection.run(
                    "UPDATE outbox SET next_attempt_at = ?2, claimed_by = ?3, claimed_instance = ?4 WHERE id = ?1",
                    [entry.id, leasedUntil, claim.token, claim.instance])
                var claimed = entry
                claimed.nextAttemptAt = Date(unixMilliseconds: leasedUntil.unixMilliseconds)
                claimed.claimToken = claim.token
                return claimed
            }
        }
    }

    public func markWriteBackDelivered(_ id: OutboxEntry.ID, claim: Claim, responseStatus: Int, at: Date) async throws {
        try await database.write { connection in
            let updated = try connection.run(
                """
                UPDATE outbox SET status = 'delivered', attempts = attempts + 1, last_response_status = ?2,
                    delivered_at = ?3, updated_at = ?3, claimed_by = NULL, claimed_instance = NULL
                WHERE id = ?1 AND status = 'pending' AND claimed_by = ?4
                """,
                [id, responseStatus, at, claim.token]
            )
            guard updated == 1 else { throw try Self.claimError(id, claim: claim, on: connection) }
        }
    }

    public func markWriteBackFailed(
        _ id: OutboxEntry.ID, claim: Claim, error: String, responseStatus: Int?, retryAt: Date?, at: Date
    ) async throws {
        try await database.write { connection in
            let updated = try connection.run(
                """
                UPDATE outbox SET attempts = attempts + 1, last_error = ?2, updated_at = ?3,
                    status = CASE WHEN ?4 IS NULL THEN 'dead' ELSE 'pending' END,
                    next_attempt_at = coalesce(?4, next_attempt_at), claimed_by = NULL, claimed_instance = NULL,
                    last_response_status = ?6
                WHERE id = ?1 AND status = 'pending' AND claimed_by = ?5
                """,
                [id, error.storable, at, retryAt, claim.token, responseStatus]
            )
            guard updated == 1 else { throw try Self.claimError(id, claim: claim, on: connection) }
        }
        if retryAt == nil {
            logger.warning("Write-back dead-lettered", metadata: ["outbox_id": "\(id)"])
        }
    }

    /// Why marking entry `id` changed nothing: it does not exist, or `claim` does not hold it.
    private static func claimError(_ id: OutboxEntry.ID, claim: Claim, on connection: Connection) throws -> StoreError {
        let exists = try connection.queryFirst("SELECT 1 FROM outbox WHERE id = ?1", [id], table: "outbox") { _ in true } ?? false
        return exists ? .writeBackClaimLost(id, claim: claim.token) : .writeBackNotFound(id)
    }

    public func retryWriteBack(_ id: OutboxEntry.ID, now: Date) async throws -> OutboxEntry {
        try await database.write { connection in
            let retried = try connection.queryFirst(
                """
                UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?2, updated_at = ?2,
                    claimed_by = NULL, claimed_instance = NULL
                WHERE id = ?1 AND status = 'dead'
                RETURNING \(ColumnList.outbox.list())
                """,
                [id, now],
                table: "outbox",
                OutboxEntry.init(row:)
            )
            if let retried { return retried }
            let exists = try connection.queryFirst("SELECT 1 FROM outbox WHERE id = ?1", [id], table: "outbox") { _ in true }
            throw exists == true ? StoreError.writeBackNotDead(id) : StoreError.writeBackNotFound(id)
        }
    }

    public func writeBacks(status: OutboxStatus?, limit: Int) async throws -> [OutboxEntry] {
        let limit = max(0, limit)  // SQLite reads a negative LIMIT as "no limit"
        return try await database.read { connection in
            if let status {
                return try connection.query(
                    "SELECT \(ColumnList.outbox.list()) FROM outbox WHERE status = ?1 ORDER BY id DESC LIMIT ?2",
                    [status.rawValue, limit],
                    table: "outbox",
                    OutboxEntry.init(row:)
                )
            } else {
                return try connection.query(
                    "SELECT \(ColumnList.outbox.list()) FROM outbox ORDER BY id DESC LIMIT ?1",
                    [limit],
                    table: "outbox",
                    OutboxEntry.init(row:)
                )
            }
        }
    }

    public func nextWriteBackDue(in lane: WriteBackLane) async throws -> Date? {
        let (condition, adapters) = Self.condition(of: lane, parameter: 1)
        return try await database.read { connection in
            try connection.queryFirst(
                "SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending' AND \(condition)",
                [adapters],
                table: "outbox"
            ) { try $0.value(0, as: Date?.self) } ?? nil
        }
    }

    /// The condition selecting `lane`'s entries, and the value of its parameter `?parameter`:
    /// one adapter's name, or the names to leave out as a JSON array.
    private static func condition(of lane: WriteBackLane, parameter: Int) -> (sql: String, value: String) {
        switch lane {
        case .adapter(let name):
            ("adapter = ?\(parameter)", name)
        case .otherThan(let names):
            ("adapter NOT IN (SELECT value FROM json_each(?\(parameter)))", JSONTextWriter.text(of: names))
        }
    }
}
