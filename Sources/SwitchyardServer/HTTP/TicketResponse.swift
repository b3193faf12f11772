import Foundation
import SwitchyardCore
import SwitchyardStore

/// `GET /v1/tickets/{id}`: the ticket, its current decision and their history, its
/// write-backs and its feedback.
struct TicketResponse: Encodable {
    var id: TicketID
    var status: String
    var receivedAt: Date
    var attempts: Int
    var purgedAt: Date?
    var ticket: Ticket
    var decisionID: DecisionID?
    var decision: Decision?
    var decisions: [DecisionEntry]
    var writeBacks: [WriteBackResponse]
    var feedback: [FeedbackEntry]

    init(_ record: TicketRecord) {
        id = record.id
        status = record.status.rawValue
        receivedAt = record.receivedAt
        attempts = record.attempts
        purgedAt = record.purgedAt
        ticket = record.ticket
        decisionID = record.decisions.last?.id
        decision = record.decision
        decisions = record.decisions.map(DecisionEntry.init)
        writeBacks = record.writeBacks.map(WriteBackResponse.init)
        feedback = record.feedback.map(FeedbackEntry.init)
    }

    enum CodingKeys: String, CodingKey {
        case id, status, attempts, ticket, decision, decisions, feedback
        case receivedAt = "received_at"
        case purgedAt = "purged_at"
        case decisionID = "decision_id"
        case writeBacks = "write_backs"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(status, forKey: .status)
        try container.encode(receivedAt, forKey: .receivedAt)
        try container.encode(attempts, forKey: .attempts)
        try container.encodeIfPresent(purgedAt, forKey: .purgedAt)
        try container.encode(ticket, forKey: .ticket)
        try container.encode(decisionID, forKey: .decisionID)  // explicit null while undecided
        try container.encode(decision, forKey: .decision)  // explicit null while undecided
        try container.encode(decisions, forKey: .decisions)
        try container.encode(writeBacks, forKey: .writeBacks)
        try container.encode(feedback, forKey: .feedback)
    }
}

/// One decision of a ticket's history, with the id feedback names.
struct DecisionEntry: Encodable {
    var id: DecisionID
    var decision: Decision

    init(_ recorded: RecordedDecision) {
        id = recorded.id
        decision = recorded.decision
    }

    enum CodingKeys: String, CodingKey {
        case id, department, priority, tags, confidence, provenance
        case decidedAt = "decided_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(decision.department, forKey: .department)
        try container.encodeIfPresent(decision.priority, forKey: .priority)
        try container.encode(decision.tags, forKey: .tags)
        try container.encode(decision.confidence, forKey: .confidence)
        try container.encode(decision.provenance, forKey: .provenance)
        try container.encode(decision.decidedAt, forKey: .decidedAt)
    }
}

/// One agent's feedback, with the decision it judged.
struct FeedbackEntry: Encodable {
    var decisionID: DecisionID
    var feedback: Feedback

    init(_ recorded: RecordedFeedback) {
        decisionID = recorded.decisionID
        feedback = recorded.feedback
    }

    enum CodingKeys: String, CodingKey {
        case verdict, department, agent
        case decisionID = "decision_id"
        case createdAt = "created_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(decisionID, forKey: .decisionID)
        try container.encode(feedback.verdict, forKey: .verdict)
        try container.encodeIfPresent(feedback.department, forKey: .department)
        try container.encodeIfPresent(feedback.agent, forKey: .agent)
        try container.encode(feedback.createdAt, forKey: .createdAt)
    }
}

/// One outbox entry as the API shows it (never its body's credentials: there are none stored).
struct WriteBackResponse: Encodable {
    var id: Int64
    var ticketID: TicketID
    var decisionID: DecisionID?
    var adapter: String
    var method: String
    var url: String
    var status: String
    var attempts: Int
    var nextAttemptAt: Date?
    var lastError: String?
    var lastResponseStatus: Int?
    var createdAt: Date
    var deliveredAt: Date?

    init(_ entry: OutboxEntry) {
        id = entry.id
        ticketID = entry.ticketID
        decisionID = entry.decisionID
        adapter = entry.request.adapter
        method = entry.request.method
        url = entry.request.url
        status = entry.status.rawValue
        attempts = entry.attempts
        nextAttemptAt = entry.status == .pending ? entry.nextAttemptAt : nil
        lastError = entry.lastError
        lastResponseStatus = entry.lastResponseStatus
        createdAt = entry.createdAt
        deliveredAt = entry.deliveredAt
    }

    enum CodingKeys: String, CodingKey {
        case id, adapter, method, url, status, attempts
        case ticketID = "ticket_id"
        case decisionID = "decision_id"
        case nextAttemptAt = "next_attempt_at"
        case lastError = "last_error"
        case lastResponseStatus = "last_response_status"
        case createdAt = "created_at"
        case deliveredAt = "delivered_at"
    }
}
