import PostgresNIO
public import SwitchyardStore

extension PostgresStore {
    /// The upsert locks the day's row and checks the cap against its latest version, so
    /// concurrent reservations from any replica never together pass it.
    enum ReserveSpending: StoreStatement {
        static let sql = """
            INSERT INTO provider_spending (provider, day, reserved_micros, spent_micros)
            SELECT $1, $2, $3, 0 WHERE $3 <= $4
            ON CONFLICT (provider, day) DO UPDATE SET reserved_micros = provider_spending.reserved_micros + excluded.reserved_micros
            WHERE provider_spending.reserved_micros + provider_spending.spent_micros + excluded.reserved_micros <= $4
            RETURNING provider
            """
    }

    enum SettleSpending: StoreStatement {
        static let sql = """
            INSERT INTO provider_spending (provider, day, reserved_micros, spent_micros) VALUES ($1, $2, 0, $4)
            ON CONFLICT (provider, day) DO UPDATE
            SET reserved_micros = GREATEST(provider_spending.reserved_micros - $3, 0),
                spent_micros = provider_spending.spent_micros + $4
            """
    }

    enum SelectSpending: StoreStatement {
        static let sql = "SELECT reserved_micros, spent_micros FROM provider_spending WHERE provider = $1 AND day = $2"
    }

    public func reserveSpending(_ amount: Int64, provider: String, day: String, cap: Int64) async throws -> Bool {
        let arguments = Arguments { arguments in
            arguments.add(provider)
            arguments.add(day)
            arguments.add(amount)
            arguments.add(cap)
        }
        return try await withConnection { [self] connection in
            try await !connection.rows(ReserveSpending.self, arguments.bindings, logger: logger).isEmpty
        }
    }

    public func settleSpending(reserved: Int64, spent: Int64, provider: String, day: String) async throws {
        let arguments = Arguments { arguments in
            arguments.add(provider)
            arguments.add(day)
            arguments.add(reserved)
            arguments.add(spent)
        }
        try await withConnection { [self] connection in
            try await connection.rows(SettleSpending.self, arguments.bindings, logger: logger)
        }
    }

    public func spending(provider: String, day: String) async throws -> Spending {
        let arguments = Arguments { arguments in
            arguments.add(provider)
            arguments.add(day)
        }
        return try await withConnection { [self] connection in
            guard let row = try await connection.rows(SelectSpending.self, arguments.bindings, logger: logger).first else {
                return Spending()
            }
            let reader = RowReader(row, table: "provider_spending")
            return Spending(reservedMicros: try reader.value(0, as: Int64.self), spentMicros: try reader.value(1, as: Int64.self))
        }
    }
}
