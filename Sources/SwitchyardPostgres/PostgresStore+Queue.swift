public import Foundation
import PostgresNIO
public import SwitchyardCore
public import SwitchyardStore

extension PostgresStore {
    enum InsertTicket: StoreStatement {
        static let sql = """
            INSERT INTO tickets (id, source, idempotency_key, external_id, subject, body, requester_name,
                requester_email, tags, channel, language, custom_fields, received_at, status, attempts,
                platform_priority, platform_status, original_body, deferred_until)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12::jsonb, $13, 'queued', 0, $14, $15, $16, $17)
            ON CONFLICT (source, idempotency_key) DO NOTHING
            RETURNING id
            """
    }

    enum FindTicketByKey: StoreStatement {
        static let sql = "SELECT id FROM tickets WHERE source = $1 AND idempotency_key = $2"
    }

    public func accept(_ ticket: Ticket, idempotencyKey: String, receivedAt: Date, deferredUntil: Date?) async throws -> IntakeOutcome {
        let id = TicketID(identifiers.next(prefix: "tkt"))
        let ticket = ticket.storable
        let key = idempotencyKey.storable
        let insert = Arguments { arguments in
            arguments.add(id.rawValue)
            arguments.add(ticket.source)
            arguments.add(key)
            arguments.add(ticket.externalID)
            arguments.add(ticket.subject)
            arguments.add(ticket.body)
            arguments.add(ticket.requester?.name)
            arguments.add(ticket.requester?.email)
            arguments.add(JSONTextWriter.text(of: ticket.tags))
            arguments.add(ticket.channel)
            arguments.add(ticket.language)
            arguments.add(JSONTextWriter.text(of: ticket.customFields))
            arguments.add(receivedAt)
            arguments.add(ticket.priority)
            arguments.add(ticket.status)
            arguments.add(ticket.originalBody)
            arguments.add(deferredUntil)
        }
        return try await withConnection { [self] connection in
            // A concurrent insert of the same key on another replica makes this one wait for
            // its commit, then do nothing: the lookup below finds the committed ticket.
            if try await !connection.rows(InsertTicket.self, insert.bindings, logger: logger).isEmpty {
                return .accepted(id)
            }
            let existing = try await connection.rows(
                FindTicketByKey.self, Arguments { $0.add(ticket.source); $0.add(key) }.bindings, logger: logger)
            guard let row = existing.first else {
                throw StoreError.database("PostgreSQL", "ticket id \(id) already exists", statement: "INSERT INTO tickets")
            }
            return .duplicate(TicketID(try RowReader(row, table: "tickets").value(0, as: String.self)))
        }
    }

    /// Queued tickets deferred to no one (or no longer) and expired claims, oldest first.
    enum ClaimTickets: StoreStatement {
        static let sql = """
            WITH open AS (
                SELECT id, received_at, seq FROM tickets
                WHERE status <> 'decided' AND deferred_until IS NULL AND (status = 'queued' OR lease_expires_at <= $1)
                ORDER BY received_at, seq LIMIT $2
                FOR UPDATE SKIP LOCKED
            ), due AS (
                SELECT id, received_at, seq FROM tickets
                WHERE status = 'queued' AND deferred_until IS NOT NULL AND deferred_until <= $1
                ORDER BY deferred_until, seq LIMIT $2
                FOR UPDATE SKIP LOCKED
            ), chosen AS (
                SELECT id FROM (SELECT * FROM open UNION ALL SELECT * FROM due) AS candidates ORDER BY received_at, seq LIMIT $2
            )
            UPDATE tickets SET status = 'claimed', claimed_by = $3, claimed_instance = $4, lease_expires_at = $5,
                attempts = tickets.attempts + 1, deferred_until = NULL
            FROM chosen
            WHERE tickets.id = chosen.id
            RETURNING \(ColumnList.tickets.postgres(prefix: "tickets.")), tickets.seq
            """
    }

    /// Queued tickets deferred until later, earliest due first: what an idle pipeline takes.
    enum ClaimDeferredTickets: StoreStatement {
        static let sql = """
            WITH chosen AS (
                SELECT id FROM tickets
                WHERE status = 'queued' AND deferred_until IS NOT NULL AND deferred_until > $1
                ORDER BY deferred_until, seq LIMIT $2
                FOR UPDATE SKIP LOCKED
            )
            UPDATE tickets SET status = 'claimed', claimed_by = $3, claimed_instance = $4, lease_expires_at = $5,
                attempts = tickets.attempts + 1, deferred_until = NULL
            FROM chosen
            WHERE tickets.id = chosen.id
            RETURNING \(ColumnList.tickets.postgres(prefix: "tickets.")), tickets.seq
            """
    }

    private static func claimArguments(now: Date, limit: Int, claim: Claim, expiresAt: Date) -> PostgresBindings {
        Arguments { arguments in
            arguments.add(now)
            arguments.add(limit)
            arguments.add(claim.token)
            arguments.add(claim.instance)
            arguments.add(expiresAt)
        }.bindings
    }

    /// A row the claim statements return: the ticket and its arrival sequence.
    private static func claimedTicket(_ row: PostgresRow) throws -> (record: TicketRecord, seq: Int64) {
        let reader = RowReader(row, table: "tickets")
        return (record: try TicketRecord(row: reader), seq: try reader.int64(ColumnList.tickets.count))
    }

    public func claimQueued(limit: Int, claim: Claim, now: Date, lease: Duration, includingDeferred: Bool) async throws
        -> [QueuedTicket]
    {
        guard limit > 0 else { return [] }
        let expiresAt = now.addingTimeInterval(lease.timeInterval)
        return try await withConnection { [self] connection in
            var tickets = try await connection.rows(
                ClaimTickets.self, Self.claimArguments(now: now, limit: limit, claim: claim, expiresAt: expiresAt), logger: logger
            ).map(Self.claimedTicket).sorted { ($0.record.receivedAt, $0.seq) < ($1.record.receivedAt, $1.seq) }
            if includingDeferred && tickets.count < limit {
                tickets += try await connection.rows(
                    ClaimDeferredTickets.self,
                    Self.claimArguments(now: now, limit: limit - tickets.count, claim: claim, expiresAt: expiresAt), logger: logger
                ).map(Self.claimedTicket)
            }
            return tickets.map { item in
                QueuedTicket(
                    id: item.record.id, ticket: item.record.ticket, receivedAt: item.record.receivedAt,
                    attempts: item.record.attempts)
            }
        }
    }

    public func claimDeferred(limit: Int, claim: Claim, now: Date, lease: Duration) async throws -> [QueuedTicket] {
        guard limit > 0 else { return [] }
        let expiresAt = now.addingTimeInterval(lease.timeInterval)
        return try await withConnection { [self] connection in
            try await connection.rows(
                ClaimDeferredTickets.self, Self.claimArguments(now: now, limit: limit, claim: claim, expiresAt: expiresAt), logger: logger
            ).map(Self.claimedTicket).map { item in
                QueuedTicket(id: item.record.id, ticket: item.record.ticket, receivedAt: item.record.receivedAt, attempts: item.record.attempts)
            }
        }
    }

    enum FinishClaim: StoreStatement {
        static let sql = """
            UPDATE tickets SET status = 'decided', claimed_by = NULL, claimed_instance = NULL, lease_expires_at = NULL
            WHERE id = $1 AND status = 'claimed' AND claimed_by = $2
            RETURNING id
            """
    }

    enum TicketExists: StoreStatement {
        static let sql = "SELECT 1 FROM tickets WHERE id = $1"
    }

    enum InsertDecision: StoreStatement {
        static let sql = """
            INSERT INTO decisions (ticket_id, department, priority, tags, confidence, stage, decided_by, model_version,
                ruleset_version, provenance, decided_at, fields)
            VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10::jsonb, $11, $12::jsonb)
            RETURNING id
            """
    }

    enum InsertWriteBack: StoreStatement {
        static let sql = """
            INSERT INTO outbox (ticket_id, decision_id, adapter, method, url, headers, body, status, attempts,
                next_attempt_at, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, 'pending', 0, $8, $8, $8)
            """
    }

    enum RepeatsPreviousDecision: StoreStatement {
        static let sql = """
            SELECT department = $2 AND priority IS NOT DISTINCT FROM $3 AND tags = $4::jsonb FROM decisions
            WHERE ticket_id = $1 ORDER BY id DESC LIMIT 1
            """
    }

    public func recordDecision(
        _ decision: Decision, for id: TicketID, claim: Claim, writeBacks: [WriteBackRequest], now: Date
    ) async throws -> DecisionID {
        let decision = decision.storable
        let provenance = decision.provenance
        let decisionArguments = Arguments { arguments in
            arguments.add(id.rawValue)
            arguments.add(decision.department.rawValue)
            arguments.add(decision.priority?.rawValue)
            arguments.add(JSONTextWriter.text(of: decision.tags))
            arguments.add(decision.confidence)
            arguments.add(provenance.stage.rawValue)
            arguments.add(provenance.decidedBy)
            arguments.add(provenance.modelVersion)
            arguments.add(provenance.rulesetVersion)
            arguments.add(provenance.storedJSON)
            arguments.add(decision.decidedAt)
            arguments.add(JSONTextWriter.text(of: decision.fields))
        }
        let decisionID = try await withTransaction { [self] connection in
            let finished = try await connection.rows(
                FinishClaim.self, Arguments { $0.add(id.rawValue); $0.add(claim.token) }.bindings, logger: logger)
            guard !finished.isEmpty else {
                let exists = try await !connection.rows(TicketExists.self, Arguments { $0.add(id.rawValue) }.bindings, logger: logger)
                    .isEmpty
                throw exists ? StoreError.leaseLost(id, claim: claim.token) : StoreError.ticketNotFound(id)
            }
            // Decided again (after an update) to the same effect: the platform has it already.
            let previous = try await connection.rows(
                RepeatsPreviousDecision.self,
                Arguments { arguments in
                    arguments.add(id.rawValue)
                    arguments.add(decision.department.rawValue)
                    arguments.add(decision.priority?.rawValue)
                    arguments.add(JSONTextWriter.text(of: decision.tags))
                }.bindings, logger: logger)
            let repeatsPrevious = try previous.first.map { try RowReader($0, table: "decisions").value(0, as: Bool.self) } ?? false
            let inserted = try await connection.rows(InsertDecision.self, decisionArguments.bindings, logger: logger)
            guard let row = inserted.first else {
                throw StoreError.database("PostgreSQL", "the decision was not stored", statement: "INSERT INTO decisions")
            }
            let decisionID = try RowReader(row, table: "decisions").value(0, as: DecisionID.self)
            // One outbox entry per request, committed with the decision.
            for writeBack in writeBacks where !repeatsPrevious {
                let arguments = Arguments { arguments in
                    arguments.add(id.rawValue)
                    arguments.add(decisionID)
                    arguments.add(writeBack.adapter)
                    arguments.add(writeBack.method)
                    arguments.add(writeBack.url)
                    arguments.add(JSONTextWriter.text(of: writeBack.headers))
                    arguments.add(ByteBuffer(bytes: writeBack.body))
                    arguments.add(now)
                }
                try await connection.rows(InsertWriteBack.self, arguments.bindings, logger: logger)
            }
            return decisionID
        }
        logger.debug("Recorded decision", metadata: ["ticket_id": "\(id)", "stage": "\(provenance.stage.rawValue)"])
        return decisionID
    }

    enum ReleaseTicket: StoreStatement {
        static let sql = """
            UPDATE tickets SET status = 'queued', claimed_by = NULL, claimed_instance = NULL, lease_expires_at = NULL,
                deferred_until = $3
            WHERE id = $1 AND status = 'claimed' AND claimed_by = $2
            """
    }

    public func release(_ id: TicketID, claim: Claim, deferredUntil: Date?) async throws {
        try await withConnection { [self] connection in
            let arguments = Arguments {
                $0.add(id.rawValue)
                $0.add(claim.token)
                $0.add(deferredUntil)
            }
            try await connection.rows(ReleaseTicket.self, arguments.bindings, logger: logger)
        }
    }

    enum QueueDepth: StoreStatement {
        static let sql = """
            SELECT (SELECT count(*) FROM tickets WHERE status <> 'decided' AND deferred_until IS NULL)
                + (SELECT count(*) FROM tickets WHERE status = 'queued' AND deferred_until IS NOT NULL)
            """
    }

    public func queueDepth() async throws -> Int {
        try await withConnection { [self] connection in try await queueDepth(on: connection) }
    }

    func queueDepth(on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.rows(QueueDepth.self, logger: logger)
        return try rows.first.map { try RowReader($0, table: "tickets").value(0, as: Int.self) } ?? 0
    }

    enum SelectDecidedTicketIDs: StoreStatement {
        static let sql = """
            SELECT id FROM tickets WHERE status = 'decided' AND received_at >= $1 ORDER BY received_at, seq LIMIT $2
            """
    }

    public func decidedTicketIDs(receivedSince since: Date, limit: Int) async throws -> [TicketID] {
        let arguments = Arguments { $0.add(since); $0.add(max(0, limit)) }.bindings
        return try await withConnection { [self] connection in
            try await connection.rows(SelectDecidedTicketIDs.self, arguments, logger: logger).map {
                TicketID(try RowReader($0, table: "tickets").string(0))
            }
        }
    }

    enum SelectConfirmedExamples: StoreStatement {
        static let sql = """
            SELECT tickets.id, tickets.subject, tickets.body, tickets.requester_name,
                CASE feedback.verdict WHEN 'up' THEN decisions.department ELSE feedback.department END, feedback.created_at
            FROM feedback JOIN decisions ON decisions.id = feedback.decision_id JOIN tickets ON tickets.id = feedback.ticket_id
            WHERE feedback.id = (SELECT max(latest.id) FROM feedback AS latest WHERE latest.ticket_id = feedback.ticket_id)
                AND (feedback.verdict = 'up' OR feedback.department IS NOT NULL) AND tickets.purged_at IS NULL
            ORDER BY feedback.id DESC LIMIT $1
            """
    }

    public func confirmedExamples(limit: Int) async throws -> [ConfirmedExample] {
        let arguments = Arguments { $0.add(max(0, limit)) }.bindings
        return try await withConnection { [self] connection in
            try await connection.rows(SelectConfirmedExamples.self, arguments, logger: logger).map { row in
                let reader = RowReader(row, table: "feedback")
                return ConfirmedExample(
                    ticketID: TicketID(try reader.string(0)), subject: try reader.string(1), body: try reader.string(2),
                    requesterName: try reader.optionalString(3), department: DepartmentID(try reader.string(4)),
                    confirmedAt: try reader.date(5))
            }
        }
    }

    enum SelectJudgedDecisions: StoreStatement {
        static let sql = """
            SELECT decisions.id, decisions.ticket_id, decisions.stage, decisions.department, decisions.confidence,
                decisions.decided_at, feedback.verdict, feedback.department, feedback.created_at
            FROM decisions JOIN feedback ON feedback.decision_id = decisions.id
            WHERE decisions.decided_at >= $1
                AND feedback.id = (SELECT max(latest.id) FROM feedback AS latest WHERE latest.decision_id = decisions.id)
            ORDER BY decisions.id DESC LIMIT $2
            """
    }

    public func judgedDecisions(decidedSince since: Date, limit: Int) async throws -> [JudgedDecision] {
        let arguments = Arguments {
            $0.add(since)
            $0.add(max(0, limit))
        }
        return try await withConnection { [self] connection in
            try await connection.rows(SelectJudgedDecisions.self, arguments.bindings, logger: logger).map {
                try JudgedDecision(row: RowReader($0, table: "decisions"))
            }
        }
    }

    enum SelectDecisionVolume: StoreStatement {
        static let sql = """
            SELECT to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), stage, department, count(*) FROM decisions
            WHERE decided_at >= $1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """
    }

    public func decisionVolume(decidedSince since: Date) async throws -> [DecisionVolume] {
        let arguments = Arguments { $0.add(since) }
        return try await withConnection { [self] connection in
            try await connection.rows(SelectDecisionVolume.self, arguments.bindings, logger: logger).map {
                try DecisionVolume(row: RowReader($0, table: "decisions"))
            }
        }
    }

    enum RuleHits: StoreStatement {
        static let sql = """
            SELECT decided_by, count(*), max(decided_at) FROM decisions
            WHERE stage IN ('rule', 'fallback_rule') AND decided_by IS NOT NULL GROUP BY decided_by
            UNION ALL
            SELECT annotation, count(*), max(decided_at)
            FROM decisions CROSS JOIN LATERAL jsonb_array_elements_text(COALESCE(provenance -> 'annotated_by', '[]'::jsonb)) AS annotation
            GROUP BY annotation
            """
    }

    enum RuleVerdicts: StoreStatement {
        static let sql = """
            SELECT decisions.decided_by, feedback.verdict, count(*) FROM feedback JOIN decisions ON decisions.id = feedback.decision_id
            WHERE decisions.stage IN ('rule', 'fallback_rule') AND decisions.decided_by IS NOT NULL
            GROUP BY decisions.decided_by, feedback.verdict
            """
    }

    public func ruleStatistics() async throws -> [String: RuleStatistics] {
        try await withConnection { [self] connection in
            let hits = try await connection.rows(RuleHits.self, logger: logger).map { row in
                let reader = RowReader(row, table: "decisions")
                return (try reader.string(0), try reader.int(1), try reader.optionalDate(2))
            }
            let verdicts = try await connection.rows(RuleVerdicts.self, logger: logger).map { row in
                let reader = RowReader(row, table: "feedback")
                return (try reader.string(0), try reader.string(1), try reader.int(2))
            }
            return RuleStatistics.combine(hits: hits, verdicts: verdicts)
        }
    }

    enum SelectTicket: StoreStatement {
        static let sql = "SELECT \(ColumnList.tickets.postgres()) FROM tickets WHERE id = $1"
    }

    enum SelectDecisions: StoreStatement {
        static let sql = "SELECT \(ColumnList.decisions.postgres()) FROM decisions WHERE ticket_id = $1 ORDER BY id"
    }

    enum SelectTicketWriteBacks: StoreStatement {
        static let sql = "SELECT \(ColumnList.outbox.postgres()) FROM outbox WHERE ticket_id = $1 ORDER BY id"
    }

    enum SelectFeedback: StoreStatement {
        static let sql = "SELECT \(ColumnList.feedback.postgres()) FROM feedback WHERE ticket_id = $1 ORDER BY id"
    }

    public func ticket(_ id: TicketID) async throws -> TicketRecord? {
        let arguments = Arguments { $0.add(id.rawValue) }.bindings
        return try await withTransaction { [self] connection in
            // One transaction: a consistent view of the ticket and its history.
            guard let row = try await connection.rows(SelectTicket.self, arguments, logger: logger).first else { return nil }
            var record = try TicketRecord(row: RowReader(row, table: "tickets"))
            record.decisions = try await connection.rows(SelectDecisions.self, arguments, logger: logger).map {
                try RecordedDecision(row: RowReader($0, table: "decisions"))
            }
            record.writeBacks = try await connection.rows(SelectTicketWriteBacks.self, arguments, logger: logger).map {
                try OutboxEntry(row: RowReader($0, table: "outbox"))
            }
            record.feedback = try await connection.rows(SelectFeedback.self, arguments, logger: logger).map {
                try RecordedFeedback(row: RowReader($0, table: "feedback"))
            }
            return record
        }
    }

    enum SelectDecisionToJudge: StoreStatement {
        static let sql = "SELECT max(id) FROM decisions WHERE ticket_id = $1 AND ($2::bigint IS NULL OR id = $2)"
    }

    enum InsertFeedback: StoreStatement {
        static let sql = """
            INSERT INTO feedback (ticket_id, decision_id, verdict, department, agent, created_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            """
    }

    public func addFeedback(_ feedback: Feedback, to id: TicketID, decision decisionID: DecisionID?) async throws -> DecisionID {
        try await withTransaction { [self] connection in
            guard try await !connection.rows(TicketExists.self, Arguments { $0.add(id.rawValue) }.bindings, logger: logger).isEmpty
            else { throw StoreError.ticketNotFound(id) }
            let rows = try await connection.rows(
                SelectDecisionToJudge.self, Arguments { $0.add(id.rawValue); $0.add(decisionID) }.bindings, logger: logger)
            guard let judged = try rows.first.flatMap({ try RowReader($0, table: "decisions").value(0, as: DecisionID?.self) })
            else { throw StoreError.decisionNotFound(decisionID, ticket: id) }
            let arguments = Arguments { arguments in
                arguments.add(id.rawValue)
                arguments.add(judged)
                arguments.add(feedback.verdict.rawValue)
                arguments.add(feedback.department?.rawValue.storable)
                arguments.add(feedback.agent.storable)
                arguments.add(feedback.createdAt)
            }
            try await connection.rows(InsertFeedback.self, arguments.bindings, logger: logger)
            return judged
        }
    }
}
