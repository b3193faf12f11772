public import SwitchyardCore

/// What went wrong in the store, with enough detail to act on, and without any engine's types.
///
/// A struct over a stable `code` rather than a public enum, so that new kinds of failure can be
/// added without breaking callers' exhaustive `switch`es. Match on `code`:
/// `catch let error as StoreError where error.code == .leaseLost`.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier of the kind of failure, for programs and logs.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// No ticket has the given id.
        public static let ticketNotFound = Code(rawValue: "ticket_not_found")
        /// The claim on a ticket was taken over; nothing was written.
        public static let leaseLost = Code(rawValue: "lease_lost")
        /// No outbox entry has the given id.
        public static let writeBackNotFound = Code(rawValue: "write_back_not_found")
        /// The claim on an outbox entry was taken over; nothing was written.
        public static let writeBackClaimLost = Code(rawValue: "write_back_claim_lost")
        /// Only a dead letter can be sent again by hand.
        public static let writeBackNotDead = Code(rawValue: "write_back_not_dead")
        /// Feedback named a decision the ticket does not have.
        public static let decisionNotFound = Code(rawValue: "decision_not_found")
        /// The database refused a statement.
        public static let database = Code(rawValue: "database")
        /// The database cannot be reached (connection refused, authentication, TLS, timeout).
        public static let unavailable = Code(rawValue: "unavailable")
        /// A stored value cannot be read back as the type it should have.
        public static let corruptRow = Code(rawValue: "corrupt_row")
        /// The configured location (file path, URL) cannot be used.
        public static let invalidLocation = Code(rawValue: "invalid_location")
        /// The database was migrated by a newer Switchyard.
        public static let schemaTooNew = Code(rawValue: "schema_too_new")
        /// Another process already serves from this SQLite file.
        public static let inUse = Code(rawValue: "in_use")
        /// The store was closed.
        public static let closed = Code(rawValue: "closed")
        /// The store was opened for reading only (the command-line tools beside a running server).
        public static let readOnly = Code(rawValue: "read_only")
    }

    public let code: Code
    /// What happened, where, and what to do: safe to log (no secrets, no ticket text).
    public let message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

extension StoreError {
    public static func readOnly(_ location: String) -> StoreError {
        StoreError(code: .readOnly, message: "the store \(location) was opened read-only; nothing can be written through it")
    }

    public static func ticketNotFound(_ id: TicketID) -> StoreError {
        StoreError(
            code: .ticketNotFound,
            message: "no ticket with id \(id) in the store; check the id (tickets are never deleted by Switchyard)")
    }

    public static func leaseLost(_ id: TicketID, claim: String) -> StoreError {
        StoreError(
            code: .leaseLost,
            message: "claim \(claim) no longer holds ticket \(id): its lease expired or its instance was declared dead "
                + "and another claim took it over; the result was discarded and the other claim decides "
                + "(use a longer triage.lease if this happens often)")
    }

    public static func writeBackNotFound(_ id: OutboxEntry.ID) -> StoreError {
        StoreError(code: .writeBackNotFound, message: "no outbox entry with id \(id) in the store")
    }

    public static func writeBackNotDead(_ id: OutboxEntry.ID) -> StoreError {
        StoreError(
            code: .writeBackNotDead,
            message: "outbox entry \(id) is not a dead letter: it is delivered or still being retried; only dead letters are sent again by hand")
    }

    public static func writeBackClaimLost(_ id: OutboxEntry.ID, claim: String) -> StoreError {
        StoreError(
            code: .writeBackClaimLost,
            message: "claim \(claim) no longer holds outbox entry \(id): another deliverer took it over; "
                + "its outcome was not recorded (use a longer write_back.timeout if this happens often)")
    }

    /// The ticket has no decision `decision`, or (nil) no decision at all yet.
    public static func decisionNotFound(_ decision: DecisionID?, ticket: TicketID) -> StoreError {
        StoreError(
            code: .decisionNotFound,
            message: decision.map { "ticket \(ticket) has no decision with id \($0)" }
                ?? "ticket \(ticket) has no decision yet to give feedback on; wait until it is decided")
    }

    /// The engine refused a statement: `engine` names it ("SQLite", "PostgreSQL"), `detail`
    /// is its own code and message, `statement` what was being done (never its arguments).
    public static func database(_ engine: String, _ detail: String, statement: String? = nil) -> StoreError {
        StoreError(code: .database, message: "\(engine) error: \(detail)" + (statement.map { " (in: \($0))" } ?? ""))
    }

    public static func unavailable(_ engine: String, _ detail: String) -> StoreError {
        StoreError(code: .unavailable, message: "\(engine) is unavailable: \(detail)")
    }

    public static func corruptRow(table: String, column: String, reason: String) -> StoreError {
        StoreError(
            code: .corruptRow,
            message: "corrupt value in \(table).\(column): \(reason); the database was changed outside Switchyard or is damaged")
    }

    public static func invalidLocation(_ location: String, reason: String) -> StoreError {
        StoreError(code: .invalidLocation, message: "cannot use store \(location): \(reason)")
    }

    /// `unknown` are the migrations the database has and this version does not know.
    public static func schemaTooNew(unknown: [String]) -> StoreError {
        StoreError(
            code: .schemaTooNew,
            message: "the database has schema migrations this Switchyard does not know (\(unknown.joined(separator: ", "))): "
                + "it was migrated by a newer version; run that version or restore a backup")
    }

    public static func inUse(_ path: String, holder: String) -> StoreError {
        StoreError(
            code: .inUse,
            message: "the SQLite store \(path) is already in use by \(holder); one SQLite file serves one process. "
                + "Stop the other process, give this one its own storage.path, or use storage.engine: postgres to run replicas")
    }

    public static let closed = StoreError(code: .closed, message: "the store is closed")
}
