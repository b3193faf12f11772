import CSQLite
public import Foundation
public import SwitchyardCore
public import SwitchyardStore

extension SQLiteStore {
    public func accept(_ ticket: Ticket, idempotencyKey: String, receivedAt: Date, deferredUntil: Date?) async throws -> IntakeOutcome {
        let id = TicketID(identifiers.next(prefix: "tkt"))
        let ticket = ticket.storable
        let arguments: [any DatabaseValueConvertible] = [
            id.rawValue, ticket.source, idempotencyKey.storable, ticket.externalID, ticket.subject, ticket.body,
            ticket.requester?.name, ticket.requester?.email, JSONTextWriter.text(of: ticket.tags),
            ticket.channel, ticket.language, JSONTextWriter.text(of: ticket.customFields), receivedAt,
            ticket.priority, ticket.status, ticket.originalBody, deferredUntil,
        ]
        return try await database.write { connection in
            let inserted = try connection.run(
                """
                INSERT INTO tickets (id, source, idempotency_key, external_id, subject, body, requester_name,
                    requester_email, tags, channel, language, custom_fields, received_at, status, attempts,
                    platform_priority, platform_status, original_body, deferred_until)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'queued', 0, ?14, ?15, ?16, ?17)
                ON CONFLICT (source, idempotency_key) DO NOTHING
                """,
                arguments
            )
            if inserted == 1 { return .accepted(id) }
            let existing = try connection.queryFirst(
                "SELECT id FROM tickets WHERE source = ?1 AND idempotency_key = ?2",
                [ticket.source, idempotencyKey.storable],
                table: "tickets"
            ) { TicketID(try $0.value(0, as: String.self)) }
            guard let existing else {
                // The insert conflicted on something other than the idempotency key.
                throw StoreError.sqlite(code: SQLITE_CONSTRAINT, message: "ticket id \(id) already exists", sql: nil)
            }
            return .duplicate(existing)
        }
    }

    public func claimQueued(limit: Int, claim: Claim, now: Date, lease: Duration, includingDeferred: Bool) async throws
        -> [QueuedTicket]
    {
        guard limit > 0 else { return [] }
        let expiresAt = now.addingTimeInterval(lease.timeInterval)
        return try await database.write { connection in
            // Each part reads at most `limit` rows in index order; the merge sorts at most 3 × limit.
            var candidates = try connection.query(
                """
                SELECT * FROM (
                    SELECT \(ColumnList.tickets.list()), rowid AS seq FROM tickets WHERE status = 'queued' AND deferred_until IS NULL
                    ORDER BY received_at, rowid LIMIT ?2)
                UNION ALL
                SELECT * FROM (
                    SELECT \(ColumnList.tickets.list()), rowid AS seq FROM tickets
                    WHERE status = 'queued' AND deferred_until IS NOT NULL AND deferred_until <= ?1
                    ORDER BY deferred_until, rowid LIMIT ?2)
                UNION ALL
                SELECT * FROM (
                    SELECT \(ColumnList.tickets.list()), rowid AS seq FROM tickets WHERE status = 'claimed' AND lease_expires_at <= ?1
                    ORDER BY received_at, rowid LIMIT ?2)
                ORDER BY received_at, seq
                LIMIT ?2
                """,
                [now, limit],
                table: "tickets",
                TicketRecord.init(row:)
            )
            if includingDeferred && candidates.count < limit {
                candidates += try Self.deferredTickets(limit: limit - candidates.count, now: now, in: connection)
            }
            return try Self.claim(candidates, claim: claim, expiresAt: expiresAt, in: connection)
        }
    }

    public func claimDeferred(limit: Int, claim: Claim, now: Date, lease: Duration) async throws -> [QueuedTicket] {
        guard limit > 0 else { return [] }
        let expiresAt = now.addingTimeInterval(lease.timeInterval)
        return try await database.write { connection in
            try Self.claim(try Self.deferredTickets(limit: limit, now: now, in: connection), claim: claim, expiresAt: expiresAt, in: connection)
        }
    }

    /// Queued tickets deferred until after `now`, earliest due first.
    private static func deferredTickets(limit: Int, now: Date, in connection: Connection) throws -> [TicketRecord] {
        try connection.query(
            """
            SELECT \(ColumnList.tickets.list()) FROM tickets WHERE status = 'queued' AND deferred_until > ?1
            ORDER BY deferred_until, rowid LIMIT ?2
            """,
            [now, limit],
            table: "tickets",
            TicketRecord.init(row:)
        )
    }

    /// Marks `records` claimed by `claim` until `expiresAt`, no longer deferred.
    private static func claim(_ records: [TicketRecord], claim: Claim, expiresAt: Date, in connection: Connection) throws -> [QueuedTicket] {
        try records.map { record in
            try connection.run(
                """
                UPDATE tickets SET status = 'claimed', claimed_by = ?2, claimed_instance = ?3, lease_expires_at = ?4,
                    attempts = attempts + 1, deferred_until = NULL
                WHERE id = ?1
                """,
                [record.id.rawValue, claim.token, claim.instance, expiresAt]
            )
            return QueuedTicket(id: record.id, ticket: record.ticket, receivedAt: record.receivedAt, attempts: record.attempts + 1)
        }
    }

    public func recordDecision(
        _ decision: Decision,
        for id: TicketID,
        claim: Claim,
        writeBacks: [WriteBackRequest],
        now: Date
    ) async throws -> DecisionID {
        let decision = decision.storable
        let provenance = decision.provenance
        let decisionArguments: [any DatabaseValueConvertible] = [
            id.rawValue, decision.department.rawValue, decision.priority?.rawValue, JSONTextWriter.text(of: decision.tags),
            decision.confidence, provenance.stage.rawValue, provenance.decidedBy, provenance.modelVersion,
            provenance.rulesetVersion, provenance.storedJSON, decision.decidedAt, JSONTextWriter.text(of: decision.fields),
        ]
        // One outbox entry per request (Help Scout and Zammad need a second call for tags),
        // committed with the decision.
        let outboxArguments: [[any DatabaseValueConvertible]] = writeBacks.map { request in
            [id.rawValue, request.adapter, request.method, request.url, JSONTextWriter.text(of: request.headers), request.body, now]
        }
        let decisionID = try await database.write { connection in
            let updated = try connection.run(
                """
                UPDATE tickets SET status = 'decided', claimed_by = NULL, claimed_instance = NULL, lease_expires_at = NULL
                WHERE id = ?1 AND status = 'claimed' AND claimed_by = ?2
                """,
                [id.rawValue, claim.token]
            )
            guard updated == 1 else {
                throw try Self.exists(id, on: connection) ? StoreError.leaseLost(id, claim: claim.token) : StoreError.ticketNotFound(id)
            }
            // Decided again (after an update) to the same effect: the platform has it already.
            let repeatsPrevious = try connection.queryFirst(
                """
                SELECT department = ?2 AND priority IS ?3 AND tags = ?4 FROM decisions WHERE ticket_id = ?1
                ORDER BY id DESC LIMIT 1
                """,
                Array(decisionArguments.prefix(4)),
                table: "decisions"
            ) { try $0.value(0, as: Int.self) == 1 } ?? false
            let decisionID = try connection.queryFirst(
                """
                INSERT INTO decisions (ticket_id, department, priority, tags, confidence, stage, decided_by, model_version,
                    ruleset_version, provenance, decided_at, fields)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                RETURNING id
                """,
                decisionArguments,
                table: "decisions"
            ) { try $0.value(0, as: DecisionID.self) }
            for arguments in outboxArguments where !repeatsPrevious {
                try connection.run(
                    """
                    INSERT INTO outbox (ticket_id, adapter, method, url, headers, body, status, attempts,
                        next_attempt_at, created_at, updated_at, decision_id)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', 0, ?7, ?7, ?7, ?8)
                    """,
                    arguments + [decisionID]
                )
            }
            return decisionID ?? 0
        }
        logger.debug("Recorded decision", metadata: ["ticket_id": "\(id)", "stage": "\(provenance.stage.rawValue)"])
        return decisionID
    }

    public func release(_ id: TicketID, claim: Claim, deferredUntil: Date?) async throws {
        try await database.write { connection in
            try connection.run(
                """
                UPDATE tickets SET status = 'queued', claimed_by = NULL, claimed_instance = NULL, lease_expires_at = NULL,
                    deferred_until = ?3
                WHERE id = ?1 AND status = 'claimed' AND claimed_by = ?2
                """,
                [id.rawValue, claim.token, deferredUntil]
            )
        }
    }

    public func queueDepth() async throws -> Int {
        try await database.read { connection in try Self.queueDepth(on: connection) }
    }

    static func queueDepth(on connection: Connection) throws -> Int {
        // One count per partial index (queued, deferred, claimed), so none scans the table.
        try connection.queryFirst(
            """
            SELECT (SELECT count(*) FROM tickets WHERE status = 'queued' AND deferred_until IS NULL)
                + (SELECT count(*) FROM tickets WHERE status = 'queued' AND deferred_until IS NOT NULL)
                + (SELECT count(*) FROM tickets WHERE status = 'claimed')
            """,
            table: "tickets"
        ) { try $0.value(0, as: Int.self) } ?? 0
    }

    public func decidedTicketIDs(receivedSince since: Date, limit: Int) async throws -> [TicketID] {
        try await database.read { connection in
            try connection.query(
                "SELECT id FROM tickets WHERE status = 'decided' AND received_at >= ?1 ORDER BY received_at, rowid LIMIT ?2",
                [since, max(0, limit)],
                table: "tickets"
            ) { TicketID(try $0.string(0)) }
        }
    }

    public func confirmedExamples(limit: Int) async throws -> [ConfirmedExample] {
        try await database.read { connection in
            try connection.query(
                """
                SELECT tickets.id, tickets.subject, tickets.body, tickets.requester_name,
                    CASE feedback.verdict WHEN 'up' THEN decisions.department ELSE feedback.department END, feedback.created_at
                FROM feedback JOIN decisions ON decisions.id = feedback.decision_id JOIN tickets ON tickets.id = feedback.ticket_id
                WHERE feedback.id = (SELECT max(latest.id) FROM feedback AS latest WHERE latest.ticket_id = feedback.ticket_id)
                    AND (feedback.verdict = 'up' OR feedback.department IS NOT NULL) AND tickets.purged_at IS NULL
                ORDER BY feedback.id DESC LIMIT ?1
                """,
                [max(0, limit)],
                table: "feedback"
            ) { row in
                ConfirmedExample(
                    ticketID: TicketID(try row.string(0)), subject: try row.string(1), body: try row.string(2),
                    requesterName: try row.optionalString(3), department: DepartmentID(try row.string(4)),
                    confirmedAt: try row.date(5))
            }
        }
    }

    public func judgedDecisions(decidedSince since: Date, limit: Int) async throws -> [JudgedDecision] {
        try await database.read { connection in
            try connection.query(
                """
                SELECT decisions.id, decisions.ticket_id, decisions.stage, decisions.department, decisions.confidence,
                    decisions.decided_at, feedback.verdict, feedback.department, feedback.created_at
                FROM decisions JOIN feedback ON feedback.decision_id = decisions.id
                WHERE decisions.decided_at >= ?1
                    AND feedback.id = (SELECT max(latest.id) FROM feedback AS latest WHERE latest.decision_id = decisions.id)
                ORDER BY decisions.id DESC LIMIT ?2
                """,
                [since, max(0, limit)],
                table: "decisions",
                JudgedDecision.init(row:)
            )
        }
    }

    public func decisionVolume(decidedSince since: Date) async throws -> [DecisionVolume] {
        try await database.read { connection in
            try connection.query(
                """
                SELECT strftime('%Y-%m-%d', decided_at / 1000, 'unixepoch'), stage, department, count(*) FROM decisions
                WHERE decided_at >= ?1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                """,
                [since],
                table: "decisions",
                DecisionVolume.init(row:)
            )
        }
    }

    public func ruleStatistics() async throws -> [String: RuleStatistics] {
        try await database.read { connection in
            let decided = try connection.query(
                """
                SELECT decided_by, count(*), max(decided_at) FROM decisions
                WHERE stage IN ('rule', 'fallback_rule') AND decided_by IS NOT NULL GROUP BY decided_by
                """,
                table: "decisions"
            ) { (try $0.string(0), try $0.int(1), try $0.optionalDate(2)) }
            let annotated = try connection.query(
                """
                SELECT annotation.value, count(*), max(decisions.decided_at)
                FROM decisions, json_each(decisions.provenance, '$.annotated_by') AS annotation GROUP BY annotation.value
                """,
                table: "decisions"
            ) { (try $0.string(0), try $0.int(1), try $0.optionalDate(2)) }
            let verdicts = try connection.query(
                """
                SELECT decisions.decided_by, feedback.verdict, count(*) FROM feedback JOIN decisions ON decisions.id = feedback.decision_id
                WHERE decisions.stage IN ('rule', 'fallback_rule') AND decisions.decided_by IS NOT NULL
                GROUP BY decisions.decided_by, feedback.verdict
                """,
                table: "feedback"
            ) { (try $0.string(0), try $0.string(1), try $0.int(2)) }
            return RuleStatistics.combine(hits: decided + annotated, verdicts: verdicts)
        }
    }

    public func ticket(_ id: TicketID) async throws -> TicketRecord? {
        try await database.read { connection in
            guard
                var record = try connection.queryFirst(
                    "SELECT \(ColumnList.tickets.list()) FROM tickets WHERE id = ?1",
                    [id.rawValue],
                    table: "tickets",
                    TicketRecord.init(row:)
                )
            else { return nil }
            record.decisions = try connection.query(
                "SELECT \(ColumnList.decisions.list()) FROM decisions WHERE ticket_id = ?1 ORDER BY id",
                [id.rawValue],
                table: "decisions",
                RecordedDecision.init(row:)
            )
            record.writeBacks = try connection.query(
                "SELECT \(ColumnList.outbox.list()) FROM outbox WHERE ticket_id = ?1 ORDER BY id",
                [id.rawValue],
                table: "outbox",
                OutboxEntry.init(row:)
            )
            record.feedback = try connection.query(
                "SELECT \(ColumnList.feedback.list()) FROM feedback WHERE ticket_id = ?1 ORDER BY id",
                [id.rawValue],
                table: "feedback",
                RecordedFeedback.init(row:)
            )
            return record
        }
    }

    public func addFeedback(_ feedback: Feedback, to id: TicketID, decision decisionID: DecisionID?) async throws -> DecisionID {
        try await database.write { connection in
            guard try Self.exists(id, on: connection) else { throw StoreError.ticketNotFound(id) }
            let judged = try connection.queryFirst(
                "SELECT max(id) FROM decisions WHERE ticket_id = ?1 AND (?2 IS NULL OR id = ?2)",
                [id.rawValue, decisionID],
                table: "decisions"
            ) { try $0.value(0, as: DecisionID?.self) } ?? nil
            guard let judged else { throw StoreError.decisionNotFound(decisionID, ticket: id) }
            try connection.run(
                """
                INSERT INTO feedback (ticket_id, decision_id, verdict, department, agent, created_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                """,
                [id.rawValue, judged, feedback.verdict.rawValue, feedback.department?.rawValue.storable, feedback.agent.storable,
                 feedback.createdAt]
            )
            return judged
        }
    }

    static func exists(_ id: TicketID, on connection: Connection) throws -> Bool {
        try connection.queryFirst("SELECT 1 FROM tickets WHERE id = ?1", [id.rawValue], table: "tickets") { _ in true } ?? false
    }
}
