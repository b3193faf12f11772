import AsyncHTTPClient
import Foundation
import Logging
import SwitchyardCore
@testable import SwitchyardModels
import SwitchyardTestSupport
import Testing

extension SerializedModelsTests {
    /// Tickets classified through OpenAI's and Anthropic's batch APIs, against in-process
    /// servers that keep batches as the APIs document them (files, batch objects, JSON Lines
    /// results, cancellation, deletion) and answer each request of a batch on its own.
    @Suite("Batch APIs: OpenAI batches and Anthropic message batches")
    struct BatchClassifierTests {
        static let departments = OpenAICompatibleClassifierTests.departments
        static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        static let prices = TokenPrices(inputPerMillion: 0.15, outputPerMillion: 0.60)

        static func ticket(_ body: String) -> Ticket {
            Ticket(externalID: body, source: "generic", subject: "", body: body)
        }

        /// The ticket's body as the request carries it: the last message's content.
        static func body(of request: [String: Any]) -> String {
            let messages = request["messages"] as? [[String: Any]] ?? []
            return messages.last?["content"] as? String ?? ""
        }

        /// The department each ticket's words ask for, answered in the chat completions format.
        static let chatAnswer: FakeBatchAnswer = { _, request in
            let text = body(of: request)
            if text.contains("broken request") {
                return (400, ChatCompletions.error(message: "Invalid 'messages': too long.", type: "invalid_request_error", code: nil))
            }
            if text.contains("unknown department") { return (200, ChatCompletions.classification(department: "pets", confidence: 0.9)) }
            return (200, ChatCompletions.classification(department: text.contains("fee") ? "fees_fx" : "cards", confidence: 0.9))
        }

        static let anthropicAnswer: FakeBatchAnswer = { _, request in
            let text = body(of: request)
            if text.contains("broken request") {
                return (400, AnthropicMessages.error(type: "invalid_request_error", message: "messages: too long"))
            }
            return (200, AnthropicMessages.classification(department: text.contains("fee") ? "fees_fx" : "cards", confidence: 0.8))
        }

        /// A batch classifier over `api`, its queue running for the length of `body`.
        static func withClassifier<T: Sendable>(
            api: any ProviderBatchAPI, wire: any ProviderWireFormat, settings: BatchQueue.Settings,
            _ body: @Sendable (BatchClassifier) async throws -> T
        ) async throws -> T {
            let llm = LLMClassifier(
                configuration: .init(name: "batchy", model: "m", streaming: true, prices: prices),
                prompts: PromptBook(try PromptTemplate(PromptTemplate.default)), wire: wire,
                httpClient: OpenAICompatibleClassifierTests.httpClient, logger: logger)
            let queue = BatchQueue(name: "batchy", api: api, settings: settings, logger: logger)
            let classifier = BatchClassifier(llm, queue: queue)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await queue.run() }
                defer { group.cancelAll() }
                return try await body(classifier)
            }
        }

        /// Classifies `bodies` at once; each ticket's outcome and its attempts, in order.
        static func classifyAll(_ classifier: BatchClassifier, _ bodies: [String], within budget: Duration = .seconds(60)) async
            -> [(Result<Classification, ClassificationFailure>, [ModelAttempt])]
        {
            await withTaskGroup(of: (Int, Result<Classification, ClassificationFailure>, [ModelAttempt]).self) { group in
                for (index, body) in bodies.enumerated() {
                    group.addTask {
                        var attempts: [ModelAttempt] = []
                        do throws(ClassificationFailure) {
                            let answer = try await classifier.classify(
                                ticket(body), departments: departments, deadline: .now + budget, attempts: &attempts)
                            return (index, .success(answer), attempts)
                        } catch {
                            return (index, .failure(error), attempts)
                        }
                    }
                }
                var outcomes: [(Int, Result<Classification, ClassificationFailure>, [ModelAttempt])] = []
                for await outcome in group { outcomes.append(outcome) }
                return outcomes.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
            }
        }

        static func openAI(_ server: ScriptedHTTPServer, apiKey: String = "sk-test") -> (OpenAIBatchAPI, ChatCompletionsWireFormat) {
            (
                OpenAIBatchAPI(baseURL: server.baseURL + "/v1", apiKey: apiKey, httpClient: OpenAICompatibleClassifierTests.httpClient),
                ChatCompletionsWireFormat(
                    baseURL: server.baseURL + "/v1", apiKey: apiKey, dialect: .openai, apiVersion: ChatCompletionsWireFormat.defaultAPIVersion)
            )
        }

        static func anthropic(_ server: ScriptedHTTPServer) -> (AnthropicBatchAPI, AnthropicMessagesWireFormat) {
            (
                AnthropicBatchAPI(baseURL: server.baseURL + "/v1", apiKey: "sk-ant-test", httpClient: OpenAICompatibleClassifierTests.httpClient),
                AnthropicMessagesWireFormat(baseURL: server.baseURL + "/v1", apiKey: "sk-ant-test")
            )
        }

        static let fast = BatchQueue.Settings(maxRequests: 3, maxWait: .seconds(10), pollInterval: .milliseconds(20))

        @Test("OpenAI: tickets gathered into one uploaded JSONL batch, each answered on its own, at half price; the files deleted after")
        func openAIBatch() async throws {
            let fake = FakeOpenAIBatches(course: .endAfter(polls: 2), answer: Self.chatAnswer)
            try await ScriptedHTTPServer.withServer(handler: { request, _ in fake.handle(request) }) { server in
                let (api, wire) = Self.openAI(server)
                try await Self.withClassifier(api: api, wire: wire, settings: Self.fast) { classifier in
                    let outcomes = await Self.classifyAll(
                        classifier, ["My card never arrived", "Why was I charged a fee?", "This is an unknown department ticket"])
                    #expect(fake.batchCount == 1, "three tickets, max_requests 3: one batch")
                    #expect(try outcomes[0].0.get().department == "cards")
                    #expect(try outcomes[1].0.get().department == "fees_fx")
                    guard case .failure(.unknownDepartment("pets")) = outcomes[2].0 else {
                        Issue.record("an answer outside the departments is a failure: \(outcomes[2].0)")
                        return
                    }
                    let attempt = try #require(outcomes[0].1.last)
                    #expect(attempt.outcome == .answered && attempt.status == 200 && attempt.batch == "batch-2")
                    #expect(attempt.usage == TokenUsage(promptTokens: 120, completionTokens: 18))
                    let fullPrice = Self.prices.cost(of: TokenUsage(promptTokens: 120, completionTokens: 18))
                    #expect(abs((attempt.costUSD ?? 0) - fullPrice / 2) < 1e-12, "batch calls cost half")
                    #expect(outcomes[2].1.last?.outcome == .failed && outcomes[2].1.last?.batch == "batch-2")

                    let lines = fake.inputLines
                    #expect(lines.count == 3)
                    #expect(Set(lines.compactMap { $0["custom_id"] as? String }).count == 3)
                    for line in lines {
                        let body = try #require(line["body"] as? [String: Any])
                        #expect(line["method"] as? String == "POST" && line["url"] as? String == "/v1/chat/completions")
                        #expect(body["stream"] == nil, "batch lines are never streamed, though the provider streams")
                        #expect(body["model"] as? String == "m" && body["response_format"] != nil)
                    }
                    // Input and output files hold ticket text: deleted once read.
                    _ = try await eventually("the batch's files deleted") { fake.files.isEmpty ? true : nil }
                    #expect(fake.deleted.count == 2)
                    #expect(fake.cancelled.isEmpty)
                }
            }
        }

        @Test("OpenAI: a request the batch answered with an error fails that ticket alone, with the status and message")
        func openAIRequestError() async throws {
            let fake = FakeOpenAIBatches(answer: Self.chatAnswer)
            try await ScriptedHTTPServer.withServer(handler: { request, _ in fake.handle(request) }) { server in
                let (api, wire) = Self.openAI(server)
                var settings = Self.fast
                settings.maxRequests = 2
                try await Self.withClassifier(api: api, wire: wire, settings: settings) { classifier in
                    let outcomes = await Self.classifyAll(classifier, ["a broken request", "My card never arrived"])
                    guard case .failure(.httpStatus(400, let message)) = outcomes[0].0 else {
                        Issue.record("expected the line's 400, got \(outcomes[0].0)")
                        return
                    }
                    #expect(message.contains("Invalid 'messages'"))
                    #expect(outcomes[0].1.last?.status == 400)
                    #expect(try outcomes[1].0.get().department == "cards")
                    _ = try await eventually("the error file deleted too") { fake.files.isEmpty ? true : nil }
                    #expect(fake.deleted.count == 3, "input, output and error files")
                }
            }
        }

        @Test("a batch waits max_wait for company, then goes with what it has")
        func partialBatchAfterMaxWait() async throws {
            let fake = FakeOpenAIBatches(answer: Self.chatAnswer)
            try await ScriptedHTTPServer.withServer(handler: { request, _ in fake.handle(request) }) { server in
                let (api, wire) = Self.openAI(server)
                let settings = BatchQueue.Settings(maxRequests: 100, maxWait: .milliseconds(200), pollInterval: .milliseconds(20))
                try await Self.withClassifier(api: api, wire: wire, settings: settings) { classifier in
                    let clock = ContinuousClock()
                    let start = clock.now
                    let outcomes = await Self.classifyAll(classifier, ["My card never arrived"])
                    let answer = try outcomes[0].0.get()
                    #expect(answer.department == "cards")
                    #expect(clock.now - start >= .milliseconds(200), "sent once the oldest request had waited max_wait")
                    #expect(fake.batchCount == 1)
                }
            }
        }

        @Test("a batch the provider refuses at validation fails its tickets with the provider's reason; its file is deleted")
        func openAIBatchFails() async throws {
            let fake = FakeOpenAIBatches(course: .fail("The model 'm' does not support batches."), answer: Self.chatAnswer)
            try await ScriptedHTTPServer.withServer(handler: { request, _ in fake.handle(request) }) { server in
                let (api, wire) = Self.openAI(server)
                try await Self.withClassifier(api: api, wire: wire, settings: Self.fast) { classifier in
                    let outcomes = await Self.classifyAll(classifier, ["one", "two", "three"])
                    for outcome in outcomes {
                        guard case .failure(.unavailable(let reason)) = outcome.0 else {
                            Issue.record("expected the batch's failure, got \(outcome.0)")
                            continue
                        }
                        #expect(reason.contains("does not support batches"))
                    }
                    _ = try await eventually("the input file deleted") { fake.files.isEmpty ? true : nil }
                }
            }
        }

        @Test("a batch not ended by the ticket's deadline: the ticket times out and the batch is cancelled at the provider")
        func deadlineCancelsTheBatch() async throws {
            let fake = FakeOpenAIBatches(course: .never, answer: Self.chatAnswer)
            try await ScriptedHTTPServer.withServer(handler: { request, _ in fake.handle(request) }) { server in
                let (api, wire) = Self.openAI(server)
                var settings = Self.fast
                settings.maxRequests = 1
                try await Self.withClassifier(api: api, wire: wire, settings: settings) { classifier in
                    let outcomes = await Self.classifyAll(classifier, ["My card never arrived"], within: .milliseconds(600))
                    guard case .failure(.timedOut) = outcomes[0].0 else {
                        Issue.record("expected a timeout, got \(outcomes[0].0)")
                        return
                    }
                    #expect(outcomes[0].1.last?.batch == "batch-2", "the attempt names the batch it waited for")
                    _ = try await eventually("the batch cancelled") { fake.cancelled == ["batch-2"] ? true : nil }
                    _ = try await eventually("its input file deleted") { fake.files.isEmpty ? true : nil }
                }
            }
        }

        @Test("a wrong API key fails every ticket of the batch with the provider's 401, nothing left behind")
        func wrongKey() async throws {
            let fake = FakeOpenAIBatches(apiKey: "sk-right", answer: Self.chatAnswer)
            try await ScriptedHTTPServer.withServer(handler: { request, _ in fake.handle(request) }) { server in
                let (api, wire) = Self.openAI(server, apiKey: "sk-wrong")
                var settings = Self.fast
                settings.maxRequests = 2
                try await Self.withClassifier(api: api, wire: wire, settings: settings) { classifier in
                    let outcomes = await Self.classifyAll(classifier, ["one", "two"])
                    for outcome in outcomes {
                        guard case .failure(.httpStatus(401, let message)) = outcome.0 else {
                            Issue.record("expected 401, got \(outcome.0)")
                            continue
                        }
                        #expect(message.contains("Incorrect API key"))
                        #expect(outcome.1.last?.batch == nil && outcome.1.last?.status == 401)
                    }
                    #expect(fake.batchCount == 0)
                }
            }
        }

        @Test("stopping the queue cancels the batch in progress at the provider; its tickets fail at once")
        func stoppingCancels() async throws {
            let fake = FakeOpenAIBatches(course: .never, answer: Self.chatAnswer)
            try await ScriptedHTTPServer.withServer(handler: { request, _ in fake.handle(request) }) { server in
                let (api, wire) = Self.openAI(server)
                let llm = LLMClassifier(
                    configuration: .init(name: "batchy", model: "m"), prompts: PromptBook(try PromptTemplate(PromptTemplate.default)),
                    wire: wire, httpClient: OpenAICompatibleClassifierTests.httpClient, logger: Self.logger)
                var settings = Self.fast
                settings.maxRequests = 1
                let queue = BatchQueue(name: "batchy", api: api, settings: settings, logger: Self.logger)
                let classifier = BatchClassifier(llm, queue: queue)
                let runner = Task { await queue.run() }
                let waiting = Task { await Self.classifyAll(classifier, ["My card never arrived"], within: .seconds(60)) }
                _ = try await eventually("the batch in progress") { queue.load.batches == 1 && fake.batchCount == 1 ? true : nil }
                runner.cancel()
                let outcomes = await waiting.value
                guard case .failure(.transport(let reason)) = outcomes[0].0 else {
                    Issue.record("expected the stop's failure, got \(outcomes[0].0)")
                    return
                }
                #expect(reason.contains("stopped"))
                await runner.value
                #expect(fake.cancelled == ["batch-2"])
            }
        }

        @Test("Anthropic: one message batch of inline requests, each result read by custom_id, the batch deleted once ended")
        func anthropicBatch() async throws {
            let fake = FakeAnthropicBatches(course: .endAfter(polls: 1), answer: Self.anthropicAnswer)
            try await ScriptedHTTPServer.withServer(handler: { request, _ in fake.handle(request) }) { server in
                fake.serve(at: server.baseURL)
                let (api, wire) = Self.anthropic(server)
                var settings = Self.fast
                settings.maxRequests = 2
                try await Self.withClassifier(api: api, wire: wire, settings: settings) { classifier in
                    let outcomes = await Self.classifyAll(classifier, ["What is this fee?", "a broken request"])
                    let answer = try outcomes[0].0.get()
                    #expect(answer.department == "fees_fx" && answer.confidence == 0.8)
                    #expect(outcomes[0].1.last?.batch == "msgbatch_1" && outcomes[0].1.last?.usage == TokenUsage(promptTokens: 412, completionTokens: 38))
                    guard case .failure(.unavailable(let reason)) = outcomes[1].0 else {
                        Issue.record("expected the errored result, got \(outcomes[1].0)")
                        return
                    }
                    #expect(reason.contains("messages: too long (invalid_request_error)"))
                    _ = try await eventually("the ended batch deleted") { fake.deleted == ["msgbatch_1"] ? true : nil }
                    let create = try #require(server.requests.first { $0.method == "POST" })
                    let requests = try #require(try create.json()["requests"] as? [[String: Any]])
                    #expect(requests.count == 2)
                    for request in requests {
                        let params = try #require(request["params"] as? [String: Any])
                        #expect(params["stream"] == nil && params["tool_choice"] != nil && params["model"] as? String == "m")
                    }
                }
            }
        }

        @Test("Anthropic: a cancelled batch's tickets fail; results_url elsewhere than the API is not followed with the key")
        func anthropicCancelAndForeignResults() async throws {
            let fake = FakeAnthropicBatches(course: .never, answer: Self.anthropicAnswer)
            try await ScriptedHTTPServer.withServer(handler: { request, _ in fake.handle(request) }) { server in
                fake.serve(at: server.baseURL)
                let (api, wire) = Self.anthropic(server)
                var settings = Self.fast
                settings.maxRequests = 1
                try await Self.withClassifier(api: api, wire: wire, settings: settings) { classifier in
                    let outcomes = await Self.classifyAll(classifier, ["My card never arrived"], within: .milliseconds(600))
                    guard case .failure(.timedOut) = outcomes[0].0 else {
                        Issue.record("expected a timeout, got \(outcomes[0].0)")
                        return
                    }
                    _ = try await eventually("the batch cancelled") { fake.cancelled == ["msgbatch_1"] ? true : nil }
                }
            }
            let ended = FakeAnthropicBatches(course: .endAfter(polls: 0), answer: Self.anthropicAnswer)
            try await ScriptedHTTPServer.withServer(handler: { request, _ in ended.handle(request) }) { server in
                ended.serve(at: "http://203.0.113.9:8080")
                let (api, _) = Self.anthropic(server)
                let handle = try await api.create([
                    BatchEntry(
                        customID: "t-1",
                        request: try AnthropicMessagesWireFormat(apiKey: "k").request(
                            PromptMessages(system: "s", user: "u"),
                            settings: ModelRequestSettings(
                                model: "m", maxTokens: 100, temperature: 0, departmentIDs: ["cards"], streaming: false, logprobs: false)))
                ])
                await #expect(throws: ClassificationFailure.self) { try await api.progress(of: handle) }
            }
        }
    }
}
