/// The columns a value is read from, in the order its `init(row:)` reads them: the one list
/// both engines select, so that a column added to a value is added for every engine.
package struct ColumnList: Sendable {
    package let names: [String]
    /// Columns holding JSON (`jsonb` in PostgreSQL, text in SQLite).
    package let json: Set<String>

    /// `names` joined for a SELECT or RETURNING list: each prefixed (`tickets.`), and JSON
    /// columns written by `jsonColumn` (PostgreSQL selects them `::text`).
    package func list(prefix: String = "", jsonColumn: (String) -> String = { $0 }) -> String {
        names.map { name in json.contains(name) ? jsonColumn(prefix + name) : prefix + name }.joined(separator: ", ")
    }

    /// How many columns the list has: the index of a column selected after them.
    package var count: Int { names.count }
}

extension ColumnList {
    /// `TicketRecord(row:)`, without decisions, write-backs and feedback.
    package static let tickets = ColumnList(
        names: [
            "id", "source", "idempotency_key", "external_id", "subject", "body", "requester_name", "requester_email",
            "tags", "channel", "language", "custom_fields", "status", "attempts", "received_at", "purged_at",
            "platform_priority", "platform_status", "original_body",
        ],
        json: ["tags", "custom_fields"])

    /// `RecordedDecision(row:)`.
    package static let decisions = ColumnList(
        names: ["id", "department", "priority", "tags", "confidence", "provenance", "decided_at", "fields"],
        json: ["tags", "provenance", "fields"])

    /// `OutboxEntry(row:)`.
    package static let outbox = ColumnList(
        names: [
            "id", "ticket_id", "adapter", "method", "url", "headers", "body", "status", "attempts", "next_attempt_at",
            "last_error", "last_response_status", "created_at", "delivered_at", "decision_id", "claimed_by",
        ],
        json: ["headers"])

    /// `RecordedFeedback(row:)`.
    package static let feedback = ColumnList(
        names: ["decision_id", "verdict", "department", "agent", "created_at"], json: [])

    /// `StoreInstance(row:)`.
    package static let instances = ColumnList(names: ["id", "host", "pid", "started_at"], json: [])
}
