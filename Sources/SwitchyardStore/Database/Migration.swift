/// One step of the schema, applied once, in order, when `PRAGMA user_version` is below
/// its position in the list (1-based).
struct Migration: Sendable {
    /// What the step does, for the log.
    let summary: String
    /// One or more SQL statements.
    let sql: String
}
