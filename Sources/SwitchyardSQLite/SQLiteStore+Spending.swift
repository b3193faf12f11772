public import SwitchyardStore

extension SQLiteStore {
    public func reserveSpending(_ amount: Int64, provider: String, day: String, cap: Int64) async throws -> Bool {
        try await database.write { connection in
            // The upsert's condition is checked against the row as it stands: one statement,
            // so no other reservation comes between the check and the update.
            try connection.run(
                """
                INSERT INTO provider_spending (provider, day, reserved_micros, spent_micros)
                SELECT ?1, ?2, ?3, 0 WHERE ?3 <= ?4
                ON CONFLICT (provider, day) DO UPDATE SET reserved_micros = reserved_micros + excluded.reserved_micros
                WHERE reserved_micros + spent_micros + excluded.reserved_micros <= ?4
                """,
                [provider, day, amount, cap]) == 1
        }
    }

    public func settleSpending(reserved: Int64, spent: Int64, provider: String, day: String) async throws {
        try await database.write { connection in
            try connection.run(
                """
                INSERT INTO provider_spending (provider, day, reserved_micros, spent_micros) VALUES (?1, ?2, 0, ?4)
                ON CONFLICT (provider, day) DO UPDATE
                SET reserved_micros = max(reserved_micros - ?3, 0), spent_micros = spent_micros + ?4
                """,
                [provider, day, reserved, spent])
        }
    }

    public func spending(provider: String, day: String) async throws -> Spending {
        try await database.read { connection in
            try connection.queryFirst(
                "SELECT reserved_micros, spent_micros FROM provider_spending WHERE provider = ?1 AND day = ?2", [provider, day],
                table: "provider_spending"
            ) { row in
                Spending(reservedMicros: try row.value(0, as: Int64.self), spentMicros: try row.value(1, as: Int64.self))
            } ?? Spending()
        }
    }
}
