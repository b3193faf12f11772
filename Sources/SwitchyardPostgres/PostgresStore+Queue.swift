public import Foundation
import PostgresNIO
public import SwitchyardCore
public import SwitchyardStore

extension PostgresStore {
    enum InsertTicket: StoreStatement {
        static let sql = """
            INSERT INTO tickets (id, source, idempotency_key, external_id, subject, body, requester_name,
                requester_email, tags, channel, language, custom_fields, received_at, status, attempts)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12::jsonb, $13, 'queued', 0)
            ON CONFLICT (source, idempotency_key) DO NOTHING
            RETURNING id
            """
    }

    enum FindTicketByKey: StoreStatement {
        static let sql = "SELECT id FROM tickets WHERE source = $1 AND idempotency_key = $2"
    }

    public func accept(_ ticket: Ticket, idempotencyKey: String, receivedAt: Date) async throws -> IntakeOutcome {
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
        }
        return try await withConnection { connection in
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

    enum ClaimTickets: StoreStatement {
        static let sql = """
            UPDATE tickets SET status = 'claimed', claimed_by = $3, claimed_instance = $4, lease_expires_at = $5,
                attempts = tickets.attempts + 1
            FROM (
                SELECT id FROM tickets
                WHERE status <> 'decided' AND (status = 'queued' OR lease_expires_at <= $1)
                ORDER BY received_at, seq
                LIMIT $2
                FOR UPDATE SKIP LOCKED
            ) AS due
            WHERE tickets.id = due.id
            RETURNING \(TicketColumns.list(prefix: "tickets.")), tickets.seq
            """
    }

    public func claimQueued(limit: Int, claim: Claim, now: Date, lease: Duration) async throws -> [QueuedTicket] {
        guard limit > 0 else { return [] }
        let expiresAt = now.addingTimeInterval(lease.timeInterval)
        let arguments = Arguments { arguments in
            arguments.add(now)
            arguments.add(limit)
            arguments.add(claim.token)
            arguments.add(claim.instance)
            arguments.add(expiresAt)
        }
        return try await withConnection { connection in
            let rows = try await connection.rows(ClaimTickets.self, arguments.bindings, logger: logger)
            let claimed = try rows.map { row in
                let reader = RowReader(row, table: "tickets")
                return (record: try TicketColumns.record(reader), seq: try reader.value(TicketColumns.count, as: Int64.self))
            }
            return claimed.sorted { ($0.record.receivedAt, $0.seq) < ($1.record.receivedAt, $1.seq) }.map { item in
                QueuedTicket(
                    id: item.record.id, ticket: item.record.ticket, receivedAt: item.record.receivedAt,
                    attempts: item.record.attempts)
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
                ruleset_version, provenance, decided_at)
            VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10::jsonb, $11)
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

    public func recordDecision(
        _ decision: Decision, for id: TicketID, claim: Claim, writeBack: WriteBackRequest?, now: Date
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
        }
        let decisionID = try await withTransaction { connection in
            let finished = try await connection.rows(
                FinishClaim.self, Arguments { $0.add(id.rawValue); $0.add(claim.token) }.bindings, logger: logger)
            guard !finished.isEmpty else {
                let exists = try await !connection.rows(TicketExists.self, Arguments { $0.add(id.rawValue) }.bindings, logger: logger)
                    .isEmpty
                throw exists ? StoreError.leaseLost(id, claim: claim.token) : StoreError.ticketNotFound(id)
            }
            let inserted = try await connection.rows(InsertDecision.self, decisionArguments.bindings, logger: logger)
            guard let row = inserted.first else {
                throw StoreError.database("PostgreSQL", "the decision was not stored", statement: "INSERT INTO decisions")
            }
            let decisionID = try RowReader(row, table: "decisions").value(0, as: DecisionID.self)
            if let writeBack {
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
            UPDATE tickets SET status = 'queued', claimed_by = NULL, claimed_instance = NULL, lease_expires_at = NULL
            WHERE id = $1 AND status = 'claimed' AND claimed_by = $2
            """
    }

    public func release(_ id: TicketID, claim: Claim) async throws {
        try await withConnection { connection in
            try await connection.rows(ReleaseTicket.self, Arguments { $0.add(id.rawValue); $0.add(claim.token) }.bindings, logger: logger)
        }
    }

    enum QueueDepth: StoreStatement {
        static let sql = "SELECT count(*) FROM tickets WHERE status <> 'decided'"
    }

    public func queueDepth() async throws -> Int {
        try await withConnection { connection in try await queueDepth(on: connection) }
    }

    func queueDepth(on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.rows(QueueDepth.self, logger: logger)
        return try rows.first.map { try RowReader($0, table: "tickets").value(0, as: Int.self) } ?? 0
    }

    enum SelectTicket: StoreStatement {
        static let sql = "SELECT \(TicketColumns.list(prefix: "")) FROM tickets WHERE id = $1"
    }

    enum SelectDecisions: StoreStatement {
        static let sql = """
            SELECT id, department, priority, tags::text, confidence, provenance::text, decided_at
            FROM decisions WHERE ticket_id = $1 ORDER BY id
            """
    }

    enum SelectTicketWriteBacks: StoreStatement {
        static let sql = "SELECT \(OutboxColumns.list) FROM outbox WHERE ticket_id = $1 ORDER BY id"
    }

    enum SelectFeedback: StoreStatement {
        static let sql = """
            SELECT decision_id, verdict, department, agent, created_at FROM feedback WHERE ticket_id = $1 ORDER BY id
            """
    }

    public func ticket(_ id: TicketID) async throws -> TicketRecord? {
        let arguments = Arguments { $0.add(id.rawValue) }.bindings
        return try await withTransaction { connection in
            // One transaction: a consistent view of the ticket and its history.
            guard let row = try await connection.rows(SelectTicket.self, arguments, logger: logger).first else { return nil }
            var record = try TicketColumns.record(RowReader(row, table: "tickets"))
            record.decisions = try await connection.rows(SelectDecisions.self, arguments, logger: logger).map { row in
                let reader = RowReader(row, table: "decisions")
                let priority: String? = try reader.value(2)
                return RecordedDecision(
                    id: try reader.value(0),
                    decision: Decision(
                        department: DepartmentID(try reader.value(1, as: String.self)),
                        priority: try priority.map { raw in
                            guard let priority = Priority(rawValue: raw) else { throw reader.corrupt(2, "unknown Priority \"\(raw)\"") }
                            return priority
                        },
                        tags: try reader.json(3, StoredJSON.strings),
                        confidence: try reader.value(4),
                        provenance: try reader.json(5, StoredJSON.provenance),
                        decidedAt: try reader.value(6)))
            }
            record.writeBacks = try await connection.rows(SelectTicketWriteBacks.self, arguments, logger: logger).map {
                try OutboxColumns.entry(RowReader($0, table: "outbox"))
            }
            record.feedback = try await connection.rows(SelectFeedback.self, arguments, logger: logger).map { row in
                let reader = RowReader(row, table: "feedback")
                let department: String? = try reader.value(2)
                return RecordedFeedback(
                    decisionID: try reader.value(0),
                    feedback: Feedback(
                        verdict: try reader.value(1), department: department.map(DepartmentID.init(rawValue:)),
                        agent: try reader.value(3), createdAt: try reader.value(4)))
            }
            return record
        }
    }

    enum JudgedDecision: StoreStatement {
        static let sql = "SELECT max(id) FROM decisions WHERE ticket_id = $1 AND ($2::bigint IS NULL OR id = $2)"
    }

    enum InsertFeedback: StoreStatement {
        static let sql = """
            INSERT INTO feedback (ticket_id, decision_id, verdict, department, agent, created_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            """
    }

    public func addFeedback(_ feedback: Feedback, to id: TicketID, decision decisionID: DecisionID?) async throws -> DecisionID {
        try await withTransaction { connection in
            guard try await !connection.rows(TicketExists.self, Arguments { $0.add(id.rawValue) }.bindings, logger: logger).isEmpty
            else { throw StoreError.ticketNotFound(id) }
            let rows = try await connection.rows(
                JudgedDecision.self, Arguments { $0.add(id.rawValue); $0.add(decisionID) }.bindings, logger: logger)
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

/// The `tickets` columns the store reads, and the record they make.
enum TicketColumns {
    static let names = [
        "id", "source", "idempotency_key", "external_id", "subject", "body", "requester_name", "requester_email",
        "tags::text", "channel", "language", "custom_fields::text", "status", "attempts", "received_at", "purged_at",
    ]
    static var count: Int { names.count }

    static func list(prefix: String) -> String {
        names.map { prefix + $0 }.joined(separator: ", ")
    }

    static func record(_ row: RowReader) throws -> TicketRecord {
        let requesterName: String? = try row.value(6)
        let requesterEmail: String? = try row.value(7)
        let requester = requesterName == nil && requesterEmail == nil ? nil : Requester(name: requesterName, email: requesterEmail)
        return TicketRecord(
            id: TicketID(try row.value(0, as: String.self)),
            ticket: Ticket(
                externalID: try row.value(3),
                source: try row.value(1),
                subject: try row.value(4),
                body: try row.value(5),
                requester: requester,
                tags: try row.json(8, StoredJSON.strings),
                channel: try row.value(9),
                language: try row.value(10),
                customFields: try row.json(11, StoredJSON.stringObject)
            ),
            idempotencyKey: try row.value(2),
            status: try row.value(12),
            receivedAt: try row.value(14),
            attempts: try row.value(13),
            purgedAt: try row.value(15)
        )
    }
}
