import Foundation
import SwitchyardCore
import SwitchyardStore

extension OutboxEntry {
    /// The `outbox` columns `init(row:)` reads, in order.
    static let columns = """
        id, ticket_id, adapter, method, url, headers, body, status, attempts, next_attempt_at, \
        last_error, last_response_status, created_at, delivered_at, decision_id, claimed_by
        """

    /// An entry from an `outbox` row selected with `columns`.
    init(row: Row) throws {
        self.init(
            id: try row.value(0),
            ticketID: TicketID(try row.value(1, as: String.self)),
            decisionID: try row.value(14),
            request: WriteBackRequest(
                adapter: try row.value(2),
                method: try row.value(3),
                url: try row.value(4),
                headers: try row.stringObject(5),
                body: try row.value(6)
            ),
            status: try row.value(7),
            attempts: try row.value(8),
            nextAttemptAt: try row.value(9),
            lastError: try row.value(10),
            lastResponseStatus: try row.value(11),
            createdAt: try row.value(12),
            deliveredAt: try row.value(13),
            claimToken: try row.value(15)
        )
    }
}
