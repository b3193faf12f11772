public import SwitchyardCore

/// What went wrong in the store, with enough detail to act on.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No ticket has this id.
    case ticketNotFound(TicketID)
    /// `worker` no longer holds the claim on the ticket: its lease expired and another
    /// worker claimed it. Nothing was written.
    case leaseLost(TicketID, worker: String)
    /// No outbox entry has this id.
    case writeBackNotFound(OutboxEntry.ID)
    /// SQLite refused a call. `code` is SQLite's (extended) result code.
    case sqlite(code: Int32, message: String, sql: String?)
    /// A stored value cannot be read back as the type it should have.
    case corruptRow(table: String, column: String, reason: String)
    /// The database path cannot be used.
    case invalidPath(String, reason: String)
    /// The file was written by a newer Switchyard with a schema this one does not know.
    case schemaTooNew(found: Int, supported: Int)
    /// The store was closed; no more reads or writes are accepted.
    case closed

    public var description: String {
        switch self {
        case .ticketNotFound(let id):
            "no ticket with id \(id) in the store; check the id (tickets are never deleted by Switchyard)"
        case .leaseLost(let id, let worker):
            "worker \(worker) no longer holds the claim on ticket \(id): its lease expired and another worker claimed it; "
                + "the result was discarded, the other worker decides (use a longer lease if this happens often)"
        case .writeBackNotFound(let id):
            "no outbox entry with id \(id) in the store"
        case .sqlite(let code, let message, let sql):
            "SQLite error \(code): \(message)" + (sql.map { " (in: \($0))" } ?? "")
        case .corruptRow(let table, let column, let reason):
            "corrupt value in \(table).\(column): \(reason); the database was changed outside Switchyard or is damaged"
        case .invalidPath(let path, let reason):
            "cannot use store path \"\(path)\": \(reason)"
        case .schemaTooNew(let found, let supported):
            "the database has schema version \(found) but this Switchyard knows versions up to \(supported); "
                + "run a newer Switchyard or restore a backup"
        case .closed:
            "the store is closed"
        }
    }
}
