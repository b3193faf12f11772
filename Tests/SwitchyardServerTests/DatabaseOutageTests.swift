import CSQLite
import Foundation
import InMemoryLogging
import SwitchyardTestSupport
import Testing

/// A PostgreSQL server of its own, stopped and started again while Switchyard runs on it; a
/// SQLite file another process holds locked.
@Suite struct DatabaseOutageTests {
    /// `bash scripts/postgres.sh start|stop DIR`; `start` returns the server's URL (from DIR/url:
    /// the server it starts keeps any pipe it inherited open, so its output is not read).
    @discardableResult
    static func postgres(_ command: String, _ directory: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [packageRoot.appendingPathComponent("scripts/postgres.sh").path, command, directory.path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TimedOut(description: "scripts/postgres.sh \(command) failed with status \(process.terminationStatus)")
        }
        let url = try? String(contentsOf: directory.appendingPathComponent("url"), encoding: .utf8)
        return (url ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("while the database is down /readyz is unready and webhooks are 503 within seconds; both recover when it is back")
    func readinessFollowsTheDatabase() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.url.appendingPathComponent("postgres")
        let url = try Self.postgres("start", data)
        defer { _ = try? Self.postgres("stop", data) }

        var setup = ServerSetup()
        setup.storage = """
              engine: postgres
              url: \(url)
              tls: disable
              heartbeat_interval: 200ms
              instance_timeout: 2s
              connect_timeout: 1s
              statement_timeout: 2s
            """
        let logs = InMemoryLogHandler()
        try await withServer(setup, logHandler: logs) { server in
            #expect(try await server.get("/readyz").status == 200)
            #expect(try await server.post("/webhooks/generic", json: #"{"id": "O-1", "body": "hello"}"#).status == 202)

            try Self.postgres("stop", data)
            _ = try await eventually(timeout: .seconds(20), "/readyz unready") { () -> Bool? in
                try await server.get("/readyz").status == 503 ? true : nil
            }
            let start = ContinuousClock.now
            let refused = try await server.post("/webhooks/generic", json: #"{"id": "O-2", "body": "hello"}"#)
            #expect(refused.status == 503, "\(refused.text)")
            #expect(refused.headers["retry-after"] != nil)
            #expect(ContinuousClock.now - start < .seconds(10), "answered before a platform's webhook timeout")
            #expect(logs.entries.contains { "\($0.message)".hasPrefix("Could not store a webhook's ticket") }, "the refusal is logged")

            try Self.postgres("start", data)
            _ = try await eventually(timeout: .seconds(30), "/readyz ready again") { () -> Bool? in
                try await server.get("/readyz").status == 200 ? true : nil
            }
            let accepted = try await server.post("/webhooks/generic", json: #"{"id": "O-2", "body": "hello"}"#)
            #expect(accepted.status == 202, "the platform's retry is taken: \(accepted.text)")
            let id = try #require(accepted.json["ticket_id"] as? String)
            _ = try await server.decidedTicket(id, timeout: .seconds(30))
        }
    }

    @Test("while another process holds the SQLite file's write lock /readyz is unready and webhooks 503; both recover when it lets go")
    func readinessFollowsTheSQLiteWriteLock() async throws {
        var setup = ServerSetup()
        setup.storage = """
              path: store/switchyard.sqlite
              heartbeat_interval: 200ms
              instance_timeout: 2s
            """
        let logs = InMemoryLogHandler()
        try await withServer(setup, logHandler: logs) { server in
            #expect(try await server.get("/readyz").status == 200)
            // What `sqlite3 switchyard.sqlite` and `BEGIN EXCLUSIVE` in a shell would do: the
            // store's writes wait out the busy timeout (2 s) and fail.
            let path = server.directory.url.appendingPathComponent("store/switchyard.sqlite").path
            var handle: OpaquePointer?
            #expect(sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK)
            defer { sqlite3_close(handle) }
            sqlite3_busy_timeout(handle, 10_000)
            #expect(sqlite3_exec(handle, "BEGIN EXCLUSIVE", nil, nil, nil) == SQLITE_OK)

            _ = try await eventually(timeout: .seconds(30), "/readyz unready") { () -> Bool? in
                try await server.get("/readyz").status == 503 ? true : nil
            }
            let start = ContinuousClock.now
            let refused = try await server.post("/webhooks/generic", json: #"{"id": "L-1", "body": "hello"}"#)
            #expect(refused.status == 503, "\(refused.text)")
            #expect(refused.headers["retry-after"] != nil)
            #expect(ContinuousClock.now - start < .seconds(10), "answered before a platform's webhook timeout")
            #expect(logs.entries.contains { "\($0.message)".hasPrefix("Could not store a webhook's ticket") }, "the refusal is logged")

            #expect(sqlite3_exec(handle, "ROLLBACK", nil, nil, nil) == SQLITE_OK)
            _ = try await eventually(timeout: .seconds(30), "/readyz ready again") { () -> Bool? in
                try await server.get("/readyz").status == 200 ? true : nil
            }
            let accepted = try await server.post("/webhooks/generic", json: #"{"id": "L-1", "body": "hello"}"#)
            #expect(accepted.status == 202, "the platform's retry is taken: \(accepted.text)")
            let id = try #require(accepted.json["ticket_id"] as? String)
            _ = try await server.decidedTicket(id, timeout: .seconds(30))
        }
    }
}
