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
                    UPDATE tickets SET \(Self.contentAssignments(from: 2)), received_at = ?13, purged_at = NULL,
                        status = 'queued', claimed_by = NULL, claimed_instance = NULL, lease_expires_at = NULL, attempts = 0
                    WHERE id = ?1
                    """,
                    [stored.id.rawValue] + Self.contentValues(of: ticket) + [receivedAt])
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
                UPDATE tickets SET \(Self.contentAssignments(from: 3)), purged_at = NULL
                WHERE id = ?1 AND status = 'claimed' AND claimed_by = ?2
                """,
                [id.rawValue, claim.token] + Self.contentValues(of: ticket))
            guard updated == 1 else {
                throw try Self.exists(id, on: connection) ? StoreError.leaseLost(id, claim: claim.token) : StoreError.ticketNotFound(id)
            }
        }
    }

    /// The ticket columns an update or a fetch replaces, as `column = ?n` from parameter
    /// `first` on, in the order of ``contentValues(of:)``.
    static func contentAssignments(from first: Int) -> String {
        contentColumns.enumerated().map { "\($0.element) = ?\(first + $0.offset)" }.joined(separator: ", ")
    }

    private static let contentColumns = [
        "subject", "body", "original_body", "requester_name", "requester_email", "tags", "channel", "language", "custom_fields",
        "platform_priority", "platform_status",
    ]

    /// `ticket`'s values for ``contentAssignments(from:)`` (already storable).
    static func contentValues(of ticket: Ticket) -> [any DatabaseValueConvertible] {
        [
            ticket.subject, ticket.body, ticket.originalBody, ticket.requester?.name, ticket.requester?.email,
            JSONTextWriter.text(of: ticket.tags), ticket.channel, ticket.language, JSONTextWriter.text(of: ticket.customFields),
            ticket.priority, ticket.status,
        ]
    }
}
