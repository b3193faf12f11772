public import Foundation
import PostgresNIO
import SwitchyardCore
public import SwitchyardStore

extension PostgresStore {
    /// Claims the due entries chosen by `lane`'s condition on `$6`.
    private static func claimWriteBacks(where condition: String) -> String {
        """
        UPDATE outbox SET next_attempt_at = $3, claimed_by = $4, claimed_instance = $5
        FROM (
            SELECT id FROM outbox WHERE status = 'pending' AND \(condition) AND next_attempt_at <= $1
            ORDER BY next_attempt_at, id
            LIMIT $2
            FOR UPDATE SKIP LOCKED
        ) AS due
        WHERE outbox.id = due.id
        RETURNING \(ColumnList.outbox.postgres(prefix: "outbox."))
        """
    }

    enum ClaimAdapterWriteBacks: StoreStatement {
        static let sql = claimWriteBacks(where: "adapter = $6")
    }

    enum ClaimOtherWriteBacks: StoreStatement {
        static let sql = claimWriteBacks(where: "adapter <> ALL($6::text[])")
    }

    public func claimDueWriteBacks(
        in lane: WriteBackLane, limit: Int, claim: Claim, now: Date, lease: Duration
    ) async throws -> [OutboxEntry] {
        guard limit > 0 else { return [] }
        var arguments = Arguments { arguments in
            arguments.add(now)
            arguments.add(limit)
            arguments.add(now.addingTimeInterval(lease.timeInterval))
            arguments.add(claim.token)
            arguments.add(claim.instance)
        }
        switch lane {
        case .adapter(let name): arguments.add(name)
        case .otherThan(let names): arguments.add(names)
        }
        let bindings = arguments.bindings
        return try await withConnection { [self] connection in
            let rows: [PostgresRow]
            switch lane {
            case .adapter: rows = try await connection.rows(ClaimAdapterWriteBacks.self, bindings, logger: logger)
            case .otherThan: rows = try await connection.rows(ClaimOtherWriteBacks.self, bindings, logger: logger)
            }
            // Sorted by id: every claimed entry now has the same next attempt.
            return try rows.map { try OutboxEntry(row: RowReader($0, table: "outbox")) }.sorted { $0.id < $1.id }
        }
    }

    enum MarkDelivered: StoreStatement {
        static let sql = """
            UPDATE outbox SET status = 'delivered', attempts = attempts + 1, last_response_status = $2,
                delivered_at = $3, updated_at = $3, claimed_by = NULL, claimed_instance = NULL
            WHERE id = $1 AND status = 'pending' AND claimed_by = $4
            RETURNING id
            """
    }

    enum MarkFailed: StoreStatement {
        static let sql = """
            UPDATE outbox SET attempts = attempts + 1, last_error = $2, updated_at = $3,
                status = CASE WHEN $4::timestamptz IS NULL THEN 'dead' ELSE 'pending' END,
                next_attempt_at = coalesce($4::timestamptz, next_attempt_at), claimed_by = NULL, claimed_instance = NULL,
                last_response_status = $6
            WHERE id = $1 AND status = 'pending' AND claimed_by = $5
            RETURNING id
            """
    }

    enum WriteBackExists: StoreStatement {
        static let sql = "SELECT 1 FROM outbox WHERE id = $1"
    }

    public func markWriteBackDelivered(_ id: OutboxEntry.ID, claim: Claim, responseStatus: Int, at: Date) async throws {
        let arguments = Arguments { arguments in
            arguments.add(id)
            arguments.add(responseStatus)
            arguments.add(at)
            arguments.add(claim.token)
        }
        try await withConnection { [self] connection in
            guard try await !connection.rows(MarkDelivered.self, arguments.bindings, logger: logger).isEmpty else {
                throw try await claimError(id, claim: claim, on: connection)
            }
        }
    }

    public func markWriteBackFailed(
        _ id: OutboxEntry.ID, claim: Claim, error: String, responseStatus: Int?, retryAt: Date?, at: Date
    ) async throws {
        let arguments = Arguments { arguments in
            arguments.add(id)
            arguments.add(error.storable)
            arguments.add(at)
            arguments.add(retryAt)
            arguments.add(claim.token)
            arguments.add(responseStatus)
        }
        try await withConnection { [self] connection in
            guard try await !connection.rows(MarkFailed.self, arguments.bindings, logger: logger).isEmpty else {
                throw try await claimError(id, claim: claim, on: connection)
            }
        }
        if retryAt == nil {
            logger.warning("Write-back dead-lettered", metadata: ["outbox_id": "\(id)"])
        }
    }

    private func claimError(_ id: OutboxEntry.ID, claim: Claim, on connection: PostgresConnection) async throws -> StoreError {
        let exists = try await !connection.rows(WriteBackExists.self, Arguments { $0.add(id) }.bindings, logger: logger).isEmpty
        return exists ? .writeBackClaimLost(id, claim: claim.token) : .writeBackNotFound(id)
    }

    enum WriteBacksByStatus: StoreStatement {
        static let sql = "SELECT \(ColumnList.outbox.postgres()) FROM outbox WHERE status = $1 ORDER BY id DESC LIMIT $2"
    }

    enum AllWriteBacks: StoreStatement {
        static let sql = "SELECT \(ColumnList.outbox.postgres()) FROM outbox ORDER BY id DESC LIMIT $1"
    }

    enum RetryWriteBack: StoreStatement {
        static let sql = """
            UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2, updated_at = $2,
                claimed_by = NULL, claimed_instance = NULL
            WHERE id = $1 AND status = 'dead'
            RETURNING \(ColumnList.outbox.postgres())
            """
    }

    public func retryWriteBack(_ id: OutboxEntry.ID, now: Date) async throws -> OutboxEntry {
        try await withConnection { [self] connection in
            let rows = try await connection.rows(RetryWriteBack.self, Arguments { $0.add(id); $0.add(now) }.bindings, logger: logger)
            if let row = rows.first { return try OutboxEntry(row: RowReader(row, table: "outbox")) }
            let exists = try await !connection.rows(WriteBackExists.self, Arguments { $0.add(id) }.bindings, logger: logger).isEmpty
            throw exists ? StoreError.writeBackNotDead(id) : StoreError.writeBackNotFound(id)
        }
    }

    public func writeBacks(status: OutboxStatus?, limit: Int) async throws -> [OutboxEntry] {
        let limit = max(0, limit)
        return try await withConnection { [self] connection in
            let rows: [PostgresRow]
            if let status {
                rows = try await connection.rows(
                    WriteBacksByStatus.self, Arguments { $0.add(status.rawValue); $0.add(limit) }.bindings, logger: logger)
            } else {
                rows = try await connection.rows(AllWriteBacks.self, Arguments { $0.add(limit) }.bindings, logger: logger)
            }
            return try rows.map { try OutboxEntry(row: RowReader($0, table: "outbox")) }
        }
    }

    enum NextAdapterWriteBackDue: StoreStatement {
        static let sql = "SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending' AND adapter = $1"
    }

    enum NextOtherWriteBackDue: StoreStatement {
        static let sql = "SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending' AND adapter <> ALL($1::text[])"
    }

    public func nextWriteBackDue(in lane: WriteBackLane) async throws -> Date? {
        try await withConnection { [self] connection in
            let rows: [PostgresRow]
            switch lane {
            case .adapter(let name):
                rows = try await connection.rows(NextAdapterWriteBackDue.self, Arguments { $0.add(name) }.bindings, logger: logger)
            case .otherThan(let names):
                rows = try await connection.rows(NextOtherWriteBackDue.self, Arguments { $0.add(names) }.bindings, logger: logger)
            }
            return try rows.first.flatMap { try RowReader($0, table: "outbox").value(0, as: Date?.self) }
        }
    }
}
