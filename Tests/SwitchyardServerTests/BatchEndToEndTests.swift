import Foundation
import SwitchyardTestSupport
import Testing

/// A low-priority source's tickets through the provider's batch API, over real sockets to a
/// double of OpenAI's Files and Batch endpoints; everything else through its chat API.
@Suite struct BatchEndToEndTests {
    /// The provider `openai` with a batch API at `baseURL`, priced, and a low-priority generic
    /// adapter.
    static func setup(openAI baseURL: String, batch: String, maxDelay: String, modelDeadline: String = "15s") -> ServerSetup {
        var setup = TriageStageTests.setup(openAI: baseURL)
        setup.modelDeadline = modelDeadline
        setup.extraProviders += """

                  price: { input: 1.0, output: 4.0 }
                  batch: \(batch)
            """
        setup.genericExtra = "    priority: low\n    max_delay: \(maxDelay)"
        return setup
    }

    /// Chat completions answer `fees_fx`; the rest is the batch API's, whose answers say `cards`.
    static func provider(_ batches: FakeOpenAIBatches) -> @Sendable (RecordedRequest, Int) async -> ScriptedResponse {
        { request, _ in
            guard request.path != "/v1/chat/completions" else {
                return ScriptedResponse(body: ChatCompletions.classification(department: "fees_fx", confidence: 0.9))
            }
            return batches.handle(request)
        }
    }

    static func cardsAnswer(_: String, _: [String: Any]) -> (status: Int, body: String) {
        (200, ChatCompletions.classification(department: "cards", confidence: 0.88, priority: "low", tags: ["batched"]))
    }

    static func lastAttempt(_ ticket: [String: Any]) throws -> [String: Any] {
        let decision = try #require(ticket["decision"] as? [String: Any])
        let provenance = try #require(decision["provenance"] as? [String: Any])
        return try #require((provenance["attempts"] as? [[String: Any]])?.last)
    }

    @Test("low-priority tickets are decided from one batch at the batch price; a webhook of another source meanwhile at once")
    func lowPriorityTicketsGoInBatches() async throws {
        let batches = FakeOpenAIBatches(apiKey: "sk-test-key", course: .endAfter(polls: 1), answer: Self.cardsAnswer)
        try await ScriptedHTTPServer.withServer(handler: Self.provider(batches)) { openAI in
            let setup = Self.setup(
                openAI: openAI.baseURL, batch: "{ max_requests: 2, max_wait: 1m, poll_interval: 50ms, price_ratio: 0.5 }",
                maxDelay: "1h")
            try await withServer(setup) { server in
                var ids: [String] = []
                for (index, body) in ["Where is my new card?", "My card has not come in the post"].enumerated() {
                    let reply = try await server.post("/webhooks/generic", json: #"{"id": "LOW-\#(index)", "body": "\#(body)"}"#)
                    #expect(reply.status == 202)
                    ids.append(try #require(reply.json["ticket_id"] as? String))
                }
                // Not a low-priority source: through the chat API while the batch runs.
                let direct = try await server.post("/v1/classify", json: TriageStageTests.cardTicket)
                let decision = try #require(direct.json["decision"] as? [String: Any])
                #expect(decision["department"] as? String == "fees_fx")

                for id in ids {
                    let ticket = try await server.decidedTicket(id)
                    let decided = try #require(ticket["decision"] as? [String: Any])
                    #expect(decided["department"] as? String == "cards")
                    #expect(decided["tags"] as? [String] == ["batched"])
                    let attempt = try Self.lastAttempt(ticket)
                    #expect(attempt["batch"] as? String == "batch-2", "both tickets went in the one batch")
                    #expect(attempt["outcome"] as? String == "answered")
                    // 120 prompt and 18 completion tokens at 1 and 4 dollars per million, halved.
                    let cost = try #require(attempt["cost_usd"] as? Double)
                    #expect(abs(cost - (120 * 1.0 + 18 * 4.0) / 1_000_000 * 0.5) < 1e-12, "\(cost)")
                }
                #expect(batches.batchCount == 1 && batches.inputLines.count == 2)
                for line in batches.inputLines {
                    #expect(line["url"] as? String == "/v1/chat/completions")
                    let body = try #require(line["body"] as? [String: Any])
                    #expect(body["model"] as? String == "gpt-4o-mini" && body["stream"] == nil)
                }
                #expect(openAI.requests.filter { $0.path == "/v1/chat/completions" }.count == 1)
                _ = try await eventually("the batch's files deleted") { batches.files.isEmpty ? true : nil }

                // The batch counts as in progress until its follower returns, just after the files go.
                let batch = try await eventually("no batch waiting or in progress") { () async throws -> [String: Any]? in
                    let providers = try await server.get("/v1/providers").json["providers"] as? [[String: Any]]
                    let batch = providers?.first { $0["name"] as? String == "openai" }?["batch"] as? [String: Any]
                    return batch?["waiting"] as? Int == 0 && batch?["in_progress"] as? Int == 0 ? batch : nil
                }
                #expect(batch["max_requests"] as? Int == 2 && batch["price_ratio"] as? Double == 0.5)
            }
        }
    }

    @Test("a batch not ended by the ticket's max_delay: the fallbacks decide it in time and the batch is cancelled")
    func unfinishedBatchFallsBackInTime() async throws {
        let batches = FakeOpenAIBatches(apiKey: "sk-test-key", course: .never, answer: Self.cardsAnswer)
        try await ScriptedHTTPServer.withServer(handler: Self.provider(batches)) { openAI in
            // The batch may take max_delay less the model deadline: 8 seconds (long enough for the
            // batch to be created on a machine the rest of the suite starves).
            let setup = Self.setup(
                openAI: openAI.baseURL, batch: "{ max_requests: 1, poll_interval: 50ms }", maxDelay: "10s", modelDeadline: "2s")
            try await withServer(setup) { server in
                let clock = ContinuousClock()
                let start = clock.now
                let reply = try await server.post("/webhooks/generic", json: #"{"id": "LOW-9", "body": "Where is my new card?"}"#)
                let id = try #require(reply.json["ticket_id"] as? String)
                let ticket = try await server.decidedTicket(id)
                let waited = clock.now - start
                let decision = try #require(ticket["decision"] as? [String: Any])
                let provenance = try #require(decision["provenance"] as? [String: Any])
                #expect(provenance["stage"] as? String != "model", "\(provenance)")
                let attempt = try #require((provenance["attempts"] as? [[String: Any]])?.first)
                #expect(attempt["batch"] as? String == "batch-2" && attempt["outcome"] as? String == "failed")
                #expect((attempt["reason"] as? String)?.contains("timed out") == true, "\(attempt)")
                #expect(waited >= .milliseconds(7900), "the ticket waited for its batch (\(waited))")
                #expect(waited < .seconds(10) + .seconds(2), "decided by its max_delay, give or take a poll (\(waited))")
                _ = try await eventually("the batch cancelled") { batches.cancelled == ["batch-2"] ? true : nil }
                _ = try await eventually("its input file deleted") { batches.files.isEmpty ? true : nil }
                #expect(openAI.requests.filter { $0.path == "/v1/chat/completions" }.isEmpty, "not asked twice")
            }
        }
    }

    @Test("stopping cancels the batch in progress and gives its tickets back undecided; the next start decides them")
    func stopGivesTicketsBack() async throws {
        let kept = try TemporaryDirectory()
        defer { kept.remove() }
        let never = FakeOpenAIBatches(apiKey: "sk-test-key", course: .never, answer: Self.cardsAnswer)
        let id = try await ScriptedHTTPServer.withServer(handler: Self.provider(never)) { openAI in
            var setup = Self.setup(openAI: openAI.baseURL, batch: "{ max_requests: 1, poll_interval: 50ms }", maxDelay: "1h")
            setup.storage = "  path: \(kept.path)/switchyard.sqlite"
            return try await withServer(setup) { server in
                let reply = try await server.post("/webhooks/generic", json: #"{"id": "LOW-5", "body": "Where is my new card?"}"#)
                let id = try #require(reply.json["ticket_id"] as? String)
                _ = try await eventually("the batch created") { never.batchCount == 1 ? true : nil }
                return id
            }
        }
        #expect(never.cancelled == ["batch-2"], "cancelled before the server stopped")
        #expect(never.files.isEmpty, "the input file holds ticket text: deleted")

        let ending = FakeOpenAIBatches(apiKey: "sk-test-key", course: .endAfter(polls: 0), answer: Self.cardsAnswer)
        try await ScriptedHTTPServer.withServer(handler: Self.provider(ending)) { openAI in
            var setup = Self.setup(openAI: openAI.baseURL, batch: "{ max_requests: 1, poll_interval: 50ms }", maxDelay: "1h")
            setup.storage = "  path: \(kept.path)/switchyard.sqlite"
            try await withServer(setup) { server in
                let ticket = try await server.decidedTicket(id)
                let decision = try #require(ticket["decision"] as? [String: Any])
                #expect(decision["department"] as? String == "cards", "decided by the batch, not by the fallbacks at the stop")
                #expect(try Self.lastAttempt(ticket)["batch"] as? String == "batch-2")
                #expect(ending.batchCount == 1)
            }
        }
    }
}
