import Logging
import PostgresNIO
import SwitchyardStore

extension PostgresStore {
    /// Applies the migrations the database does not have yet, under an advisory lock, each in
    /// its own transaction; returns the names of all applied ones.
    func migrate() async throws -> [String] {
        // Not under the store calls' deadline: a replica may wait its turn for the lock while
        // another migrates.
        do {
            return try await client.withConnection { connection in try await migrate(on: connection) }
        } catch {
            throw Self.storeError(error)
        }
    }

    private func migrate(on connection: PostgresConnection) async throws -> [String] {
        // Waiting for the lock and migrating may take longer than storage.statement_timeout.
        try await connection.query("SET statement_timeout = 0", logger: logger)
        // A SELECT's answer starts before the statement has run: drain it, so that the lock is
        // held (or its failure thrown) before anything else runs.
        try await drain(connection.query("SELECT pg_advisory_lock(\(PostgresSchema.migrationLock))", logger: logger))
        do {
            let applied = try await apply(on: connection)
            try await drain(connection.query("SELECT pg_advisory_unlock(\(PostgresSchema.migrationLock))", logger: logger))
            try await connection.query("RESET statement_timeout", logger: logger)
            return applied
        } catch {
            try? await drain(connection.query("SELECT pg_advisory_unlock(\(PostgresSchema.migrationLock))", logger: logger))
            _ = try? await connection.query("RESET statement_timeout", logger: logger)
            throw error
        }
    }

    /// Reads `rows` to the end, which throws the statement's error if it failed while running.
    private func drain(_ rows: PostgresRowSequence) async throws {
        for try await _ in rows {}
    }

    private func apply(on connection: PostgresConnection) async throws -> [String] {
        try await connection.query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT NOT NULL PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
            logger: logger)
        var applied = try await appliedMigrations(on: connection)
        let unknown = applied.filter { name in !PostgresSchema.migrations.contains { $0.name == name } }
        guard unknown.isEmpty else { throw StoreError.schemaTooNew(unknown: unknown) }
        for migration in PostgresSchema.migrations where !applied.contains(migration.name) {
            try await connection.query("BEGIN", logger: logger)
            do {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: logger)
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            applied.append(migration.name)
            logger.notice("Migrated store schema", metadata: ["migration": "\(migration.name)", "summary": "\(migration.summary)"])
        }
        return applied
    }

    func appliedMigrations(on connection: PostgresConnection) async throws -> [String] {
        var names: [String] = []
        let rows = try await connection.query("SELECT name FROM schema_migrations ORDER BY applied_at, name", logger: logger)
        for try await (name) in rows.decode(String.self) { names.append(name) }
        return names
    }
}
