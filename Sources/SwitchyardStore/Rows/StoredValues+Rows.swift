import Foundation
import SwitchyardCore

extension TicketRecord {
    /// A record from a row selected with `ColumnList.tickets`, without decisions, write-backs
    /// or feedback.
    package init(row: some StoredRow) throws {
        let requesterName = try row.optionalString(6)
        let requesterEmail = try row.optionalString(7)
        let requester = requesterName == nil && requesterEmail == nil
            ? nil : Requester(name: requesterName, email: requesterEmail)
        self.init(
            id: TicketID(try row.string(0)),
            ticket: Ticket(
                externalID: try row.string(3),
                source: try row.string(1),
                subject: try row.string(4),
                body: try row.string(5),
                requester: requester,
                tags: try row.strings(8),
                channel: try row.optionalString(9),
                language: try row.optionalString(10),
                priority: try row.optionalString(16),
                status: try row.optionalString(17),
                customFields: try row.stringObject(11),
                originalBody: try row.optionalString(18)
            ),
            idempotencyKey: try row.string(2),
            status: try row.value(12),
            receivedAt: try row.date(14),
            attempts: try row.int(13),
            purgedAt: try row.optionalDate(15)
        )
    }
}

extension RecordedDecision {
    /// A decision from a row selected with `ColumnList.decisions`.
    package init(row: some StoredRow) throws {
        self.init(
            id: try row.int64(0),
            decision: Decision(
                department: DepartmentID(try row.string(1)),
                priority: try row.optionalValue(2, as: Priority.self),
                tags: try row.strings(3),
                fields: try row.stringObject(7),
                confidence: try row.double(4),
                provenance: try row.provenance(5),
                decidedAt: try row.date(6)
            )
        )
    }
}

extension OutboxEntry {
    /// An entry from a row selected with `ColumnList.outbox`.
    package init(row: some StoredRow) throws {
        self.init(
            id: try row.int64(0),
            ticketID: TicketID(try row.string(1)),
            decisionID: try row.optionalInt64(14),
            request: WriteBackRequest(
                adapter: try row.string(2),
                method: try row.string(3),
                url: try row.string(4),
                headers: try row.stringObject(5),
                body: try row.data(6)
            ),
            status: try row.value(7),
            attempts: try row.int(8),
            nextAttemptAt: try row.date(9),
            lastError: try row.optionalString(10),
            lastResponseStatus: try row.optionalInt(11),
            createdAt: try row.date(12),
            deliveredAt: try row.optionalDate(13),
            claimToken: try row.optionalString(15)
        )
    }
}

extension RecordedFeedback {
    /// Feedback from a row selected with `ColumnList.feedback`.
    package init(row: some StoredRow) throws {
        self.init(
            decisionID: try row.int64(0),
            feedback: Feedback(
                verdict: try row.value(1),
                department: try row.optionalString(2).map(DepartmentID.init(rawValue:)),
                agent: try row.optionalString(3),
                createdAt: try row.date(4)
            )
        )
    }
}

extension StoreInstance {
    /// An instance from a row selected with `ColumnList.instances`.
    package init(row: some StoredRow) throws {
        self.init(
            id: try row.string(0), host: try row.string(1), processID: Int32(clamping: try row.int(2)),
            startedAt: try row.date(3))
    }
}

extension JudgedDecision {
    /// A judged decision from a row of: decision id, ticket id, stage, department, confidence,
    /// decided at, the latest feedback's verdict, department and time.
    package init(row: some StoredRow) throws {
        self.init(
            decisionID: try row.int64(0), ticketID: TicketID(try row.string(1)), stage: try row.value(2),
            department: DepartmentID(try row.string(3)), confidence: try row.double(4), decidedAt: try row.date(5),
            verdict: try row.value(6), correctDepartment: try row.optionalString(7).map { DepartmentID($0) },
            judgedAt: try row.date(8))
    }
}

extension DecisionVolume {
    /// A count from a row of: UTC day, stage, department, count.
    package init(row: some StoredRow) throws {
        self.init(day: try row.string(0), stage: try row.value(1), department: DepartmentID(try row.string(2)), count: try row.int(3))
    }
}
