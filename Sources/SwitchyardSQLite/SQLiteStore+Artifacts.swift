public import SwitchyardStore

extension SQLiteStore {
    public func artifact(named name: String) async throws -> StoredArtifact? {
        try await database.read { connection in
            try connection.queryFirst(
                "SELECT fingerprint, data FROM artifacts WHERE name = ?1",
                [name],
                table: "artifacts"
            ) { row in StoredArtifact(fingerprint: try row.value(0), data: try row.value(1)) }
        }
    }

    public func saveArtifact(_ artifact: StoredArtifact, named name: String) async throws {
        try await database.write { connection in
            try connection.run(
                """
                INSERT INTO artifacts (name, fingerprint, data) VALUES (?1, ?2, ?3)
                ON CONFLICT (name) DO UPDATE SET fingerprint = excluded.fingerprint, data = excluded.data
                """,
                [name, artifact.fingerprint, artifact.data]
            )
        }
    }
}
