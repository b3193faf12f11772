public import Foundation
import PostgresNIO
public import SwitchyardCore
public import SwitchyardStore

extension PostgresStore {
    /// The latest ticket with the platform id, locked until the revision commits, so that two
    /// replicas taking updates of one ticket apply them one after the other.
    enum FindTicketByExternalID: StoreStatement {
        static let sql = """
            SELECT id, subject, body, purged_at FROM tickets WHERE source = $1 AND external_id = $2
            ORDER BY received_at DESC, seq DESC LIMIT 1
            FOR UPDATE
            """
    }

    enum ReviseTicketText: StoreStatement {
        static let sql = """
            UPDATE tickets SET subject = $2, body = $3, original_body = $4, requester_name = $5, requester_email = $6,
                tags = $7::jsonb, channel = $8, language = $9, custom_fields = $10::jsonb, platform_priority = $11,
                platform_status = $12, received_at = $13, purged_at = NULL, status = 'queued', claimed_by = NULL,
                claimed_instance = NULL, lease_expires_at = NULL, attempts = 0
            WHERE id = $1
            """
    }

    enum RequeueTicket: StoreStatement {
        static let sql = """
            UPDATE tickets SET status = 'queued', claimed_by = NULL, claimed_instance = NULL, lease_expires_at = NULL,
                attempts = 0
            WHERE id = $1
            """
    }

    public func revise(_ ticket: Ticket, retriage: Bool, receivedAt: Date) async throws -> RevisionOutcome {
        let ticket = ticket.storable
        let outcome = try await withTransaction { [self] connection -> RevisionOutcome in
            let rows = try await connection.rows(
                FindTicketByExternalID.self, Arguments { $0.add(ticket.source); $0.add(ticket.externalID) }.bindings,
                logger: logger)
            guard let row = rows.first else { return .unknown }
            let reader = RowReader(row, table: "tickets")
            let stored = StoredText(
                id: TicketID(try reader.value(0, as: String.self)), subject: try reader.value(1), body: try reader.value(2),
                purged: try reader.optionalDate(3) != nil)
            switch stored.revision(by: ticket, retriage: retriage) {
            case .none:
                return .unchanged(stored.id)
            case .text:
                let arguments = Arguments { arguments in
                    arguments.add(stored.id.rawValue)
                    arguments.add(ticket.subject)
                    arguments.add(ticket.body)
                    arguments.add(ticket.originalBody)
                    arguments.add(ticket.requester?.name)
                    arguments.add(ticket.requester?.email)
                    arguments.add(JSONTextWriter.text(of: ticket.tags))
                    arguments.add(ticket.channel)
                    arguments.add(ticket.language)
                    arguments.add(JSONTextWriter.text(of: ticket.customFields))
                    arguments.add(ticket.priority)
                    arguments.add(ticket.status)
                    arguments.add(receivedAt)
                }
                try await connection.rows(ReviseTicketText.self, arguments.bindings, logger: logger)
            case .requeueOnly:
                try await connection.rows(RequeueTicket.self, Arguments { $0.add(stored.id.rawValue) }.bindings, logger: logger)
            }
            return .requeued(stored.id)
        }
        return outcome
    }

    enum ReplaceTicketContent: StoreStatement {
        static let sql = """
            UPDATE tickets SET subject = $3, body = $4, original_body = $5, requester_name = $6, requester_email = $7,
                tags = $8::jsonb, channel = $9, language = $10, custom_fields = $11::jsonb, platform_priority = $12,
                platform_status = $13, purged_at = NULL
            WHERE id = $1 AND status = 'claimed' AND claimed_by = $2
            RETURNING id
            """
    }

    public func replaceContent(of id: TicketID, with ticket: Ticket, claim: Claim) async throws {
        let ticket = ticket.storable
        let arguments = Arguments { arguments in
            arguments.add(id.rawValue)
            arguments.add(claim.token)
            arguments.add(ticket.subject)
            arguments.add(ticket.body)
            arguments.add(ticket.originalBody)
            arguments.add(ticket.requester?.name)
            arguments.add(ticket.requester?.email)
            arguments.add(JSONTextWriter.text(of: ticket.tags))
            arguments.add(ticket.channel)
            arguments.add(ticket.language)
            arguments.add(JSONTextWriter.text(of: ticket.customFields))
            arguments.add(ticket.priority)
            arguments.add(ticket.status)
        }
        try await withConnection { [self] connection in
            guard try await connection.rows(ReplaceTicketContent.self, arguments.bindings, logger: logger).isEmpty else { return }
            let exists = try await !connection.rows(TicketExists.self, Arguments { $0.add(id.rawValue) }.bindings, logger: logger)
                .isEmpty
            throw exists ? StoreError.leaseLost(id, claim: claim.token) : StoreError.ticketNotFound(id)
        }
    }
}
