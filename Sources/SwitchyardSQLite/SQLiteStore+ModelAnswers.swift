public import Foundation
public import SwitchyardStore

extension SQLiteStore {
    public func cachedAnswer(forKey key: String, now: Date) async throws -> String? {
        try await database.read { connection in
            try connection.queryFirst(
                "SELECT answer FROM model_answers WHERE key = ?1 AND expires_at > ?2", [key, now], table: "model_answers"
            ) { try $0.value(0, as: String.self) }
        }
    }

    public func cacheAnswer(_ answer: String, forKey key: String, expiresAt: Date) async throws {
        try await database.write { connection in
            try connection.run(
                """
                INSERT INTO model_answers (key, answer, expires_at) VALUES (?1, ?2, ?3)
                ON CONFLICT (key) DO UPDATE SET answer = excluded.answer, expires_at = excluded.expires_at
                """,
                [key, answer, expiresAt])
        }
    }

    public func purgeExpiredAnswers(now: Date) async throws -> Int {
        try await database.write { connection in
            try connection.run("DELETE FROM model_answers WHERE expires_at <= ?1", [now])
        }
    }
}
