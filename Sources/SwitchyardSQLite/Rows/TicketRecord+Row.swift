import Foundation
import SwitchyardCore
import SwitchyardStore

extension TicketRecord {
    /// The `tickets` columns `init(row:)` reads, in order.
    static let columns = """
        id, source, idempotency_key, external_id, subject, body, requester_name, requester_email, \
        tags, channel, language, custom_fields, status, attempts, received_at, purged_at
        """

    /// A record from a `tickets` row selected with `columns`, without decision, write-backs
    /// or feedback.
    init(row: Row) throws {
        let requesterName: String? = try row.value(6)
        let requesterEmail: String? = try row.value(7)
        let requester = requesterName == nil && requesterEmail == nil
            ? nil : Requester(name: requesterName, email: requesterEmail)
        self.init(
            id: TicketID(try row.value(0, as: String.self)),
            ticket: Ticket(
                externalID: try row.value(3),
                source: try row.value(1),
                subject: try row.value(4),
                body: try row.value(5),
                requester: requester,
                tags: try row.strings(8),
                channel: try row.value(9),
                language: try row.value(10),
                customFields: try row.stringObject(11)
            ),
            idempotencyKey: try row.value(2),
            status: try row.value(12),
            receivedAt: try row.value(14),
            attempts: try row.value(13),
            purgedAt: try row.value(15)
        )
    }
}
