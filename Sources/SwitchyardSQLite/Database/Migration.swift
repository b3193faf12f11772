/// One step of the schema, known by its name and applied once, in list order, when the
/// database's `schema_migrations` does not have that name yet. Never edit or rename a
/// released step; add a new one.
struct Migration: Sendable {
    /// Stable and unique: `0002-replicas`.
    let name: String
    /// What the step does, for the log.
    let summary: String
    /// One or more SQL statements.
    let sql: String
}
