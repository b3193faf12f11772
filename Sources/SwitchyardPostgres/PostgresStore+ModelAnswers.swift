public import Foundation
import PostgresNIO
public import SwitchyardStore

extension PostgresStore {
    enum SelectCachedAnswer: StoreStatement {
        static let sql = "SELECT answer FROM model_answers WHERE key = $1 AND expires_at > $2"
    }

    enum UpsertCachedAnswer: StoreStatement {
        static let sql = """
            INSERT INTO model_answers (key, answer, expires_at) VALUES ($1, $2, $3)
            ON CONFLICT (key) DO UPDATE SET answer = excluded.answer, expires_at = excluded.expires_at
            """
    }

    enum PurgeExpiredAnswers: StoreStatement {
        static let sql = "DELETE FROM model_answers WHERE expires_at <= $1 RETURNING key"
    }

    public func cachedAnswer(forKey key: String, now: Date) async throws -> String? {
        let arguments = Arguments { arguments in
            arguments.add(key)
            arguments.add(now)
        }
        return try await withConnection { [self] connection in
            guard let row = try await connection.rows(SelectCachedAnswer.self, arguments.bindings, logger: logger).first else { return nil }
            return try RowReader(row, table: "model_answers").value(0, as: String.self)
        }
    }

    public func cacheAnswer(_ answer: String, forKey key: String, expiresAt: Date) async throws {
        let arguments = Arguments { arguments in
            arguments.add(key)
            arguments.add(answer)
            arguments.add(expiresAt)
        }
        try await withConnection { [self] connection in
            try await connection.rows(UpsertCachedAnswer.self, arguments.bindings, logger: logger)
        }
    }

    public func purgeExpiredAnswers(now: Date) async throws -> Int {
        let arguments = Arguments { $0.add(now) }
        return try await withConnection { [self] connection in
            try await connection.rows(PurgeExpiredAnswers.self, arguments.bindings, logger: logger).count
        }
    }
}
