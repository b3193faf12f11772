public import Foundation
public import SwitchyardCore
public import SwitchyardStore

extension SQLiteStore {
    public func revise(_ ticket: Ticket, retriage: Bool, receivedAt: Date) async throws -> RevisionOutcome {
        let ticket = ticket.storable
        return try await database.write { connection in
            let stored = try connection.queryFirst(
                """
                SELECT id, subject, body, purged_at FROM tickets WHERE source = ?1 AND external_id = ?2
                ORDER BY received_at DESC, rowid DESC LIMIT 1
                """,
                [ticket.source, ticket.externalID],
                table: "tickets"
            ) { row in
                StoredText(
                    id: TicketID(try row.value(0, as: String.self)), subject: try row.value(1), body: try row.value(2),
                    purged: try row.optionalDate(3) != nil)
            }
            guard let stored else { return .unknown }
            switch stored.revision(by: ticket, retriage: retriage) {
            case .none:
                return .unchanged(stored.id)
            case .text:
                try connection.run(
                    """
                    UPDATE tickets SET subject = ?2, body = ?3, original_body = ?4, requester_name = ?5, requester_email = ?6,
                        tags = ?7, channel = ?8, language = ?9, custom_fields = ?10, platform_priority = ?11,
                        platform_status = ?12, received_at = ?13, purged_at = NULL, status = 'queued', claimed_by = NULL,
                        claimed_instance = NULL, lease_expires_at = NULL, attempts = 0
                    WHERE id = ?1
                    """,
                    [
                        stored.id.rawValue, ticket.subject, ticket.body, ticket.originalBody, ticket.requester?.name,
                        ticket.requester?.email, JSONTextWriter.text(of: ticket.tags), ticket.channel, ticket.language,
                        JSONTextWriter.text(of: ticket.customFields), ticket.priority, ticket.status, receivedAt,
                    ])
            case .requeueOnly:
                try connection.run(
                    """
                    UPDATE tickets SET status = 'queued', claimed_by = NULL, claimed_instance = NULL, lease_expires_at = NULL,
                        attempts = 0
                    WHERE id = ?1
                    """,
                    [stored.id.rawValue])
            }
            return .requeued(stored.id)
        }
    }

    public func replaceContent(of id: TicketID, with ticket: Ticket, claim: Claim) async throws {
        let ticket = ticket.storable
        try await database.write { connection in
            let updated = try connection.run(
                """
                UPDATE tickets SET subject = ?3, body = ?4, original_body = ?5, requester_name = ?6, requester_email = ?7,
                    tags = ?8, channel = ?9, language = ?10, custom_fields = ?11, platform_priority = ?12,
                    platform_status = ?13, purged_at = NULL
                WHERE id = ?1 AND status = 'claimed' AND claimed_by = ?2
                """,
                [
                    id.rawValue, claim.token, ticket.subject, ticket.body, ticket.originalBody, ticket.requester?.name,
                    ticket.requester?.email, JSONTextWriter.text(of: ticket.tags), ticket.channel, ticket.language,
                    JSONTextWriter.text(of: ticket.customFields), ticket.priority, ticket.status,
                ])
            guard updated == 1 else {
                throw try Self.exists(id, on: connection) ? StoreError.leaseLost(id, claim: claim.token) : StoreError.ticketNotFound(id)
            }
        }
    }
}
