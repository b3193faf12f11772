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
            UPDATE tickets SET \(contentAssignments(from: 2)), received_at = $13, purged_at = NULL, status = 'queued',
                claimed_by = NULL, claimed_instance = NULL, lease_expires_at = NULL, attempts = 0
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
                    arguments.addContent(of: ticket)
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
            UPDATE tickets SET \(contentAssignments(from: 3)), purged_at = NULL
            WHERE id = $1 AND status = 'claimed' AND claimed_by = $2
            RETURNING id
            """
    }

    public func replaceContent(of id: TicketID, with ticket: Ticket, claim: Claim) async throws {
        let ticket = ticket.storable
        let arguments = Arguments { arguments in
            arguments.add(id.rawValue)
            arguments.add(claim.token)
            arguments.addContent(of: ticket)
        }
        try await withConnection { [self] connection in
            guard try await connection.rows(ReplaceTicketContent.self, arguments.bindings, logger: logger).isEmpty else { return }
            let exists = try await !connection.rows(TicketExists.self, Arguments { $0.add(id.rawValue) }.bindings, logger: logger)
                .isEmpty
            throw exists ? StoreError.leaseLost(id, claim: claim.token) : StoreError.ticketNotFound(id)
        }
    }

    /// The ticket columns an update or a fetch replaces, as `column = $n` from parameter
    /// `first` on, in the order ``Arguments/addContent(of:)`` adds them.
    static func contentAssignments(from first: Int) -> String {
        [
            "subject", "body", "original_body", "requester_name", "requester_email", "tags", "channel", "language",
            "custom_fields", "platform_priority", "platform_status",
        ].enumerated().map { offset, column in
            let cast = column == "tags" || column == "custom_fields" ? "::jsonb" : ""
            return "\(column) = $\(first + offset)\(cast)"
        }.joined(separator: ", ")
    }
}

extension Arguments {
    /// `ticket`'s values for ``PostgresStore/contentAssignments(from:)`` (already storable).
    mutating func addContent(of ticket: Ticket) {
        add(ticket.subject)
        add(ticket.body)
        add(ticket.originalBody)
        add(ticket.requester?.name)
        add(ticket.requester?.email)
        add(JSONTextWriter.text(of: ticket.tags))
        add(ticket.channel)
        add(ticket.language)
        add(JSONTextWriter.text(of: ticket.customFields))
        add(ticket.priority)
        add(ticket.status)
    }
}
