public import Foundation

extension SQLiteStore {
    public func claimDueWriteBacks(limit: Int, now: Date, lease: Duration) async throws -> [OutboxEntry] {
        guard limit > 0 else { return [] }
        let leasedUntil = now.addingTimeInterval(lease.milliseconds / 1000)
        return try await database.write { connection in
            let due = try connection.query(
                """
                SELECT \(OutboxEntry.columns) FROM outbox
                WHERE status = 'pending' AND next_attempt_at <= ?1
                ORDER BY next_attempt_at, id
                LIMIT ?2
                """,
                [now, limit],
                table: "outbox",
                OutboxEntry.init(row:)
            )
            return try due.map { entry in
                try connection.run("UPDATE outbox SET next_attempt_at = ?2 WHERE id = ?1", [entry.id, leasedUntil])
                var claimed = entry
                claimed.nextAttemptAt = Date(unixMilliseconds: leasedUntil.unixMilliseconds)
                return claimed
            }
        }
    }

    public func markWriteBackDelivered(_ id: OutboxEntry.ID, responseStatus: Int, at: Date) async throws {
        try await database.write { connection in
            let updated = try connection.run(
                """
                UPDATE outbox SET status = 'delivered', attempts = attempts + 1, last_response_status = ?2,
                    delivered_at = ?3, updated_at = ?3
                WHERE id = ?1
                """,
                [id, responseStatus, at]
            )
            guard updated == 1 else { throw StoreError.writeBackNotFound(id) }
        }
    }

    public func markWriteBackFailed(_ id: OutboxEntry.ID, error: String, retryAt: Date?, at: Date) async throws {
        try await database.write { connection in
            let updated = try connection.run(
                """
                UPDATE outbox SET attempts = attempts + 1, last_error = ?2, updated_at = ?3,
                    status = CASE WHEN ?4 IS NULL THEN 'dead' ELSE 'pending' END,
                    next_attempt_at = coalesce(?4, next_attempt_at)
                WHERE id = ?1
                """,
                [id, error, at, retryAt]
            )
            guard updated == 1 else { throw StoreError.writeBackNotFound(id) }
        }
        if retryAt == nil {
            logger.warning("Write-back dead-lettered", metadata: ["outbox_id": "\(id)"])
        }
    }

    public func writeBacks(status: OutboxStatus?, limit: Int) async throws -> [OutboxEntry] {
        let limit = max(0, limit)  // SQLite reads a negative LIMIT as "no limit"
        return try await database.read { connection in
            if let status {
                return try connection.query(
                    "SELECT \(OutboxEntry.columns) FROM outbox WHERE status = ?1 ORDER BY id DESC LIMIT ?2",
                    [status.rawValue, limit],
                    table: "outbox",
                    OutboxEntry.init(row:)
                )
            } else {
                return try connection.query(
                    "SELECT \(OutboxEntry.columns) FROM outbox ORDER BY id DESC LIMIT ?1",
                    [limit],
                    table: "outbox",
                    OutboxEntry.init(row:)
                )
            }
        }
    }

    public func nextWriteBackDue() async throws -> Date? {
        try await database.read { connection in
            try connection.queryFirst(
                "SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending'",
                table: "outbox"
            ) { try $0.value(0, as: Date?.self) } ?? nil
        }
    }
}
