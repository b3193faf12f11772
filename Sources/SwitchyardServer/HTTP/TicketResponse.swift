import Foundation
import SwitchyardCore
import SwitchyardStore

/// `GET /v1/tickets/{id}`: the ticket, its decision, its write-backs and its feedback.
struct TicketResponse: Encodable {
    var id: TicketID
    var status: String
    var receivedAt: Date
    var attempts: Int
    var ticket: Ticket
    var decision: Decision?
    var writeBacks: [WriteBackResponse]
    var feedback: [Feedback]

    init(_ record: TicketRecord) {
        id = record.id
        status = record.status.rawValue
        receivedAt = record.receivedAt
        attempts = record.attempts
        ticket = record.ticket
        decision = record.decision
        writeBacks = record.writeBacks.map(WriteBackResponse.init)
        feedback = record.feedback
    }

    enum CodingKeys: String, CodingKey {
        case id, status, attempts, ticket, decision, feedback
        case receivedAt = "received_at"
        case writeBacks = "write_backs"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(status, forKey: .status)
        try container.encode(receivedAt, forKey: .receivedAt)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(ticket, forKey: .ticket)
        try container.encode(decision, forKey: .decision)  // explicit null while undecided
        try container.encode(writeBacks, forKey: .writeBacks)
        try container.encode(feedback, forKey: .feedback)
    }
}

/// One outbox entry as the API shows it (never its body's credentials: there are none stored).
struct WriteBackResponse: Encodable {
    var id: Int64
    var ticketID: TicketID
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
        case nextAttemptAt = "next_attempt_at"
        case lastError = "last_error"
        case lastResponseStatus = "last_response_status"
        case createdAt = "created_at"
        case deliveredAt = "delivered_at"
    }
}
