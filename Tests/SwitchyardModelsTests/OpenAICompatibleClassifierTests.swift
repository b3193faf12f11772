import AsyncHTTPClient
import Foundation
import Logging
import SwitchyardCore
import SwitchyardModels
import SwitchyardRules
import Testing

extension SerializedModelsTests {
    @Suite("OpenAI-compatible provider")
    struct OpenAICompatibleClassifierTests {
        typealias Server = FakeChatCompletionsServer

        static let departments = DepartmentCatalog([
            Department(id: "cards", name: "Cards", description: "Card delivery, activation, PIN and card payments."),
            Department(id: "fees_fx", name: "Fees & FX", description: "Charges, exchange rates and currency questions."),
            Department(id: "fraud_security", name: "Fraud & Security", description: "Stolen cards, unknown payments, account takeover."),
        ])
        static let apiKey = "sk-test-0123456789abcdef"
        static let ticket = Ticket(
            externalID: "4711",
            source: "generic",
            subject: "Card never arrived",
            body: "I ordered my card <two> weeks ago & it is still not here. Account 12345678.",
            channel: "email",
            language: "en"
        )
        static let validAnswer = #"{"department":"cards","confidence":0.92,"priority":"high","tags":["card-delivery"," delayed ","card-delivery"]}"#

        private func classifier(
            _ baseURL: String,
            timeout: Duration? = nil,
            logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        ) throws -> LLMClassifier {
            try Self.chatClassifier(baseURL: baseURL, apiKey: Self.apiKey, timeout: timeout, logger: logger)
        }

        /// Configured as the server's provider clients are: a refused connection fails at once
        /// (AsyncHTTPClient's default would retry it until the deadline). Lives as long as the
        /// test process, like `HTTPClient.shared`.
        static let httpClient: HTTPClient = {
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.redirectConfiguration = .disallow
            return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        }()

        /// A classifier speaking chat completions to `baseURL`, retrying once after 10 ms.
        static func chatClassifier(
            name: String = "openai", baseURL: String, model: String = "gpt-4o-mini", apiKey: String? = nil,
            dialect: StructuredOutputDialect = .openai, timeout: Duration? = nil, redactsPersonalData: Bool = true,
            redactor: PersonalDataRedactor = PersonalDataRedactor(), maxInputTokens: Int = LLMClassifier.Configuration.defaultMaxInputTokens, promptTemplate: String = PromptTemplate.default,
            streaming: Bool = false, logprobs: Bool = false, examples: Int = 0, similarTickets: SimilarTickets? = nil,
            logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        ) throws -> LLMClassifier {
            LLMClassifier(
                configuration: .init(
                    name: name, model: model, redactsPersonalData: redactsPersonalData, redactor: redactor, maxInputTokens: maxInputTokens,
                    promptTemplate: promptTemplate, timeouts: ProviderTimeouts(total: timeout),
                    retry: RetryPolicy(maxRetries: 1, initialBackoff: .milliseconds(10)), streaming: streaming, logprobs: logprobs,
                    examples: examples),
                prompts: PromptBook(try PromptTemplate(promptTemplate)),
                wire: ChatCompletionsWireFormat(
                    baseURL: baseURL, apiKey: apiKey, dialect: dialect, apiVersion: ChatCompletionsWireFormat.defaultAPIVersion),
                similarTickets: similarTickets, httpClient: httpClient, logger: logger)
        }

        private func classify(
            _ classifier: LLMClassifier,
            within budget: Duration = .seconds(5)
        ) async throws(ClassificationFailure) -> Classification {
            try await classifier.classify(Self.ticket, departments: Self.departments, deadline: .now + budget)
        }

        private func failure(
            _ classifier: LLMClassifier,
            within budget: Duration = .seconds(5)
        ) async -> ClassificationFailure? {
            do {
                _ = try await classify(classifier, within: budget)
                return nil
            } catch {
                return error
            }
        }

        @Test("sends a structured-output chat completion request and reads the answer")
        func validAnswer() async throws {
            try await Server.withServer(replying: [.completion(content: Self.validAnswer)]) { server, baseURL in
                let classifier = try classifier(baseURL)
                let classification = try await classify(classifier)

                #expect(classification == Classification(
                    department: "cards",
                    confidence: 0.92,
                    priority: .high,
                    tags: ["card-delivery", "delayed"],
                    classifier: "openai/gpt-4o-mini",
                    promptVersion: try PromptTemplate(PromptTemplate.default).version,
                    modelVersion: "gpt-4o-mini-2024-07-18",
                    usage: TokenUsage(promptTokens: 312, completionTokens: 24)
                ))
                #expect(classifier.name == "openai/gpt-4o-mini")

                let requests = await server.requests
                let request = try #require(requests.first)
                #expect(requests.count == 1)
                #expect(request.method == "POST")
                #expect(request.path == "/v1/chat/completions")
                #expect(request.authorization == "Bearer \(Self.apiKey)")
                #expect(request.contentType == "application/json")

                let json = try request.json
                #expect(json["model"] as? String == "gpt-4o-mini")
                #expect(json["temperature"] as? Double == 0)
                let messages = try #require(json["messages"] as? [[String: String]])
                #expect(messages.map { $0["role"] } == ["system", "user"])
                let system = try #require(messages.first?["content"])
                let user = try #require(messages.last?["content"])
                #expect(system.contains("- `fees_fx`: Fees & FX — Charges, exchange rates and currency questions."))
                #expect(user.contains(#""subject":"Card never arrived""#))
                #expect(user.contains(#""channel":"email""#))
                #expect(user.contains(#""body":"I ordered my card <two> weeks ago & it is still not here. Account 12345678.""#))

                let format = try #require(json["response_format"] as? [String: Any])
                #expect(format["type"] as? String == "json_schema")
                let namedSchema = try #require(format["json_schema"] as? [String: Any])
                #expect(namedSchema["name"] as? String == "ticket_classification")
                #expect(namedSchema["strict"] as? Bool == true)
                let schema = try #require(namedSchema["schema"] as? [String: Any])
                #expect(schema["type"] as? String == "object")
                #expect(schema["additionalProperties"] as? Bool == false)
                #expect(Set(try #require(schema["required"] as? [String])) == ["department", "confidence", "priority", "tags"])
                let properties = try #require(schema["properties"] as? [String: [String: Any]])
                #expect(properties["department"]?["enum"] as? [String] == ["cards", "fees_fx", "fraud_security"])
                #expect(properties["priority"]?["enum"] as? [String] == ["low", "normal", "high", "urgent"])
                #expect(properties["confidence"]?["type"] as? String == "number")
                #expect(properties["confidence"]?["minimum"] as? Double == 0)
                #expect(properties["confidence"]?["maximum"] as? Double == 1)
                #expect(properties["tags"]?["type"] as? String == "array")
            }
        }

        @Test("each dialect asks for the schema its server reads, always with max_tokens and a bounded tags list", arguments: StructuredOutputDialect.allCases)
        func dialects(dialect: StructuredOutputDialect) async throws {
            try await Server.withServer(replying: [.completion(content: Self.validAnswer)]) { server, baseURL in
                let classifier = try Self.chatClassifier(
                    name: "local-llm", baseURL: baseURL, model: "gemma-3-270m", apiKey: Self.apiKey, dialect: dialect)
                let classification = try await classify(classifier)
                #expect(classification.department == "cards")
                #expect(classification.classifier == "local-llm/gemma-3-270m", "named by the provider's key")

                let request = try #require(await server.requests.first)
                let json = try request.json
                #expect(json["max_tokens"] as? Int == 200)
                func schema(_ value: Any?) throws -> [String: Any] {
                    let schema = try #require(value as? [String: Any], "\(dialect): no schema where expected")
                    let properties = try #require(schema["properties"] as? [String: [String: Any]])
                    #expect(properties["tags"]?["maxItems"] as? Int == 5)
                    #expect((properties["tags"]?["items"] as? [String: Any])?["pattern"] as? String == "^[a-z0-9][a-z0-9-]{0,31}$")
                    #expect(properties["department"]?["enum"] as? [String] == ["cards", "fees_fx", "fraud_security"])
                    return schema
                }
                let format = json["response_format"] as? [String: Any]
                let fields = Set(json.keys).subtracting(["model", "messages", "temperature", "max_tokens"])
                switch dialect {
                case .openai, .azure:
                    #expect(fields == ["response_format"])
                    #expect(format?["type"] as? String == "json_schema")
                    let named = format?["json_schema"] as? [String: Any]
                    #expect(named?["strict"] as? Bool == true)
                    _ = try schema(named?["schema"])
                case .ollama:
                    #expect(fields == ["format", "response_format"])
                    _ = try schema(json["format"])
                case .llamaServer:
                    #expect(fields == ["json_schema"])
                    _ = try schema(json["json_schema"])
                case .llamaCppPython:
                    #expect(fields == ["response_format"])
                    #expect(format?["type"] as? String == "json_object", "its server answers 500 to json_schema")
                    _ = try schema(format?["schema"])
                case .vllm:
                    #expect(fields == ["structured_outputs"])
                    _ = try schema((json["structured_outputs"] as? [String: Any])?["json"])
                case .json:
                    #expect(fields == ["response_format"])
                    #expect(format?["type"] as? String == "json_object")
                    #expect(format?["schema"] == nil)
                }
                if dialect == .azure {
                    #expect(request.apiKey == Self.apiKey && request.authorization == nil, "Azure takes the key as api-key")
                    #expect(request.query == "api-version=2024-10-21")
                } else {
                    #expect(request.authorization == "Bearer \(Self.apiKey)" && request.query == nil)
                }
                let roles = (json["messages"] as? [[String: String]])?.map { $0["role"] }
                if dialect == .llamaCppPython {
                    // Its chat formats for models without a system role drop a system message.
                    #expect(roles == ["user"])
                    let user = (json["messages"] as? [[String: String]])?.first?["content"] ?? ""
                    #expect(user.hasPrefix("You route customer support tickets"))
                    #expect(user.contains(#""subject":"Card never arrived""#))
                } else {
                    #expect(roles == ["system", "user"])
                }
            }
        }

        @Test("an answer with too many or too long tags keeps the first five, each cut to 32 characters")
        func boundedTags() async throws {
            let tags = (1...9).map { "\"Tag-\($0)-\(String(repeating: "x", count: 40))\"" }.joined(separator: ",")
            let answer = #"{"department":"cards","confidence":0.9,"priority":"low","tags":[\#(tags)]}"#
            try await Server.withServer(replying: [.completion(content: answer)]) { _, baseURL in
                let classification = try await classify(try classifier(baseURL))
                #expect(classification.tags.count == 5)
                #expect(classification.tags.first == String("tag-1-\(String(repeating: "x", count: 40))".prefix(32)))
            }
        }

        @Test("a provider's error text is cut to its first line, without server file paths, at most 200 characters")
        func trimmedErrorText() async throws {
            let message = "Traceback (most recent call last): File \"/usr/lib/python3/site-packages/llama_cpp/server/app.py\", line 312, "
                + "in create_chat_completion: response_format.type must be 'text' or 'json_object'\n  File \"/srv/app/x.py\" "
                + String(repeating: "more ", count: 100)
            try await Server.withServer(replying: [.error(status: 400, message: message, type: "invalid_request_error", code: nil)]) { _, baseURL in
                let failure = await failure(try classifier(baseURL))
                guard case .httpStatus(400, let text) = failure else {
                    Issue.record("expected HTTP 400, got \(String(describing: failure))")
                    return
                }
                #expect(!text.contains("/usr/lib") && !text.contains("/srv/app"), "\(text)")
                #expect(text.contains("response_format.type must be 'text' or 'json_object'"))
                #expect(text.count <= 200)
            }
        }

        @Test("with redaction, nothing of the redaction corpus, nor the requester's name or address, is in the outgoing request")
        func redactedRequest() async throws {
            let corpus = PersonalDataRedactorTests.corpus
            var ticket = Self.ticket
            ticket.subject = "Refund for Maria Costa, card 4111 1111 1111 1111"
            ticket.body = "Hello, Maria Costa here.\n" + corpus.map(\.text).joined(separator: "\n")
            ticket.requester = Requester(name: "Maria Costa", email: "maria.costa@example.com")
            ticket.tags = ["maria.costa@example.com"]
            for redacts in [true, false] {
                try await Server.withServer(replying: [.completion(content: Self.validAnswer)]) { server, baseURL in
                    let classifier = try Self.chatClassifier(baseURL: baseURL, redactsPersonalData: redacts)
                    _ = try await classifier.classify(ticket, departments: Self.departments, deadline: .now + .seconds(5))
                    let sent = String(decoding: try #require(await server.requests.first).body, as: UTF8.self)
                    let values = corpus.flatMap(\.secrets).filter { $0.trimmingCharacters(in: .whitespaces).count > 3 } + ["Maria", "Costa"]
                    if redacts {
                        for value in values {
                            #expect(!sent.contains(value), "\(value) was sent")
                        }
                        #expect(sent.contains("<NAME_1>") && sent.contains("<CARD_1>") && sent.contains("<EMAIL_1>"))
                    } else {
                        #expect(sent.contains("4111 1111 1111 1111") && sent.contains("Maria Costa"), "a local server gets the text as it is")
                    }
                }
            }
        }

        @Test("configured redaction patterns apply to what is sent; one that cannot finish keeps the ticket from being sent at all")
        func configuredRedactionPatterns() async throws {
            var ticket = Self.ticket
            ticket.body = "My NI number is JG 12 34 56 C and my policy POL-123456."
            let patterns = PersonalDataRedactorTests.nationalIDs + [
                RedactionPattern(label: "POLICY", pattern: try Pattern(#"POL-\d{6}"#))
            ]
            try await Server.withServer(replying: [.completion(content: Self.validAnswer)]) { server, baseURL in
                let classifier = try Self.chatClassifier(baseURL: baseURL, redactor: PersonalDataRedactor(patterns: patterns))
                _ = try await classifier.classify(ticket, departments: Self.departments, deadline: .now + .seconds(5))
                let sent = String(decoding: try #require(await server.requests.first).body, as: UTF8.self)
                #expect(!sent.contains("JG 12 34 56 C") && !sent.contains("123456"), "\(sent)")
                #expect(sent.contains("<NINO_1>") && sent.contains("<POLICY_1>"))
            }
            ticket.body = "Account " + String(repeating: "1", count: 40) + "-X"
            let hostile = RedactionPattern(label: "HOSTILE", pattern: try Pattern(#"(?:\d|\d\d)+X"#, limits: MatchLimits(matchLimit: 1_000)))
            try await Server.withServer(replying: [.completion(content: Self.validAnswer)]) { server, baseURL in
                let classifier = try Self.chatClassifier(baseURL: baseURL, redactor: PersonalDataRedactor(patterns: [hostile]))
                var attempts: [ModelAttempt] = []
                do {
                    _ = try await classifier.classify(ticket, departments: Self.departments, deadline: .now + .seconds(5), attempts: &attempts)
                    Issue.record("a ticket that could not be redacted was classified")
                } catch {
                    #expect(error as? ClassificationFailure == .skipped(attempts.first?.reason ?? ""))
                }
                #expect(await server.requests.isEmpty, "nothing left for the provider")
                #expect(attempts.map(\.outcome) == [.skipped])
                #expect(attempts.first?.reason == "redaction pattern HOSTILE could not finish on the ticket (match limit reached); nothing was sent")
            }
        }

        @Test("a long body is cut to the token budget: head and tail kept, the cut marked")
        func longBodyIsBounded() async throws {
            var ticket = Self.ticket
            ticket.body = "HEAD-MARK " + String(repeating: "lorem ipsum ", count: 90_000) + " TAIL-MARK"
            try await Server.withServer(replying: [.completion(content: Self.validAnswer)]) { server, baseURL in
                let classifier = try Self.chatClassifier(baseURL: baseURL, maxInputTokens: 500)
                _ = try await classifier.classify(ticket, departments: Self.departments, deadline: .now + .seconds(5))
                let json = try #require(await server.requests.first).json
                let user = try #require((json["messages"] as? [[String: String]])?.last?["content"])
                #expect(user.contains("HEAD-MARK") && user.contains("TAIL-MARK"))
                #expect(user.contains("characters of the ticket cut here"))
                #expect(user.count < 2_500, "about 500 tokens of body, not 1 MB: \(user.count) characters")
            }
        }

        @Test("a 500 is retried once and the second answer counts")
        func retriesServerError() async throws {
            let replies: [Server.Reply] = [
                .error(status: 500, message: "The server had an error while processing your request.", type: "server_error", code: nil),
                .completion(content: Self.validAnswer),
            ]
            try await Server.withServer(replying: replies) { server, baseURL in
                let classification = try await classify(try classifier(baseURL))
                #expect(classification.department == "cards")
                #expect(await server.requests.count == 2)
            }
        }

        @Test("a 429 answered twice fails with the status after exactly two requests")
        func rateLimitedTwice() async throws {
            let rateLimited = Server.Reply.error(
                status: 429, message: "Rate limit reached for gpt-4o-mini.", type: "requests", code: "rate_limit_exceeded", retryAfter: "0")
            try await Server.withServer(replying: [rateLimited, rateLimited, .completion(content: Self.validAnswer)]) { server, baseURL in
                let failure = await failure(try classifier(baseURL))
                #expect(failure == .httpStatus(429, message: "Rate limit reached for gpt-4o-mini. (rate_limit_exceeded)"))
                #expect(await server.requests.count == 2)
            }
        }

        @Test("a Retry-After that does not fit before the deadline fails at once")
        func retryAfterBeyondDeadline() async throws {
            let rateLimited = Server.Reply.error(
                status: 429, message: "Rate limit reached.", type: "requests", code: "rate_limit_exceeded", retryAfter: "30")
            try await Server.withServer(replying: [rateLimited, .completion(content: Self.validAnswer)]) { server, baseURL in
                let started = ContinuousClock.now
                let failure = await failure(try classifier(baseURL), within: .seconds(5))
                #expect(failure == .httpStatus(429, message: "Rate limit reached. (rate_limit_exceeded)"))
                #expect(ContinuousClock.now - started < .seconds(5))
                #expect(await server.requests.count == 1)
            }
        }

        @Test("a client error is not retried")
        func clientErrorNotRetried() async throws {
            let invalidKey = Server.Reply.error(
                status: 401, message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key")
            try await Server.withServer(replying: [invalidKey, .completion(content: Self.validAnswer)]) { server, baseURL in
                let classifier = try classifier(baseURL)
                #expect(await failure(classifier) == .httpStatus(401, message: "Incorrect API key provided. (invalid_api_key)"))
                #expect(await server.requests.count == 1)
            }
        }

        @Test("a provider that never answers times out by the deadline")
        func hangingResponse() async throws {
            try await Server.withServer(replying: [.hang]) { server, baseURL in
                let started = ContinuousClock.now
                let failure = await failure(try classifier(baseURL), within: .milliseconds(300))
                let elapsed = ContinuousClock.now - started
                guard case .timedOut(let after) = failure else {
                    Issue.record("expected a timeout, got \(String(describing: failure))")
                    return
                }
                // Measured from when the request was sent, a moment after the caller set the deadline.
                #expect(after >= .milliseconds(280))
                #expect(elapsed < .seconds(2), "the call outlived its deadline: \(elapsed)")
                // At most one: a loaded machine may spend the whole deadline before the request
                // is read; never a second one after the deadline.
                #expect(await server.requests.count <= 1)
            }
        }

        @Test("a response body that stalls after the headers times out by the deadline")
        func stalledBody() async throws {
            try await Server.withServer(replying: [.hangAfterHeaders]) { _, baseURL in
                let started = ContinuousClock.now
                let failure = await failure(try classifier(baseURL), within: .milliseconds(300))
                #expect(ContinuousClock.now - started < .seconds(2))
                guard case .timedOut = failure else {
                    Issue.record("expected a timeout, got \(String(describing: failure))")
                    return
                }
            }
        }

        @Test("the per-call timeout ends each attempt before the overall deadline; a timeout is retried once")
        func perCallTimeout() async throws {
            try await Server.withServer(replying: [.hang, .hang]) { server, baseURL in
                let started = ContinuousClock.now
                let failure = await failure(try classifier(baseURL, timeout: .milliseconds(200)), within: .seconds(10))
                #expect(ContinuousClock.now - started < .seconds(5))
                #expect(await server.requests.count == 2)
                guard case .timedOut = failure else {
                    Issue.record("expected a timeout, got \(String(describing: failure))")
                    return
                }
            }
        }

        @Test("an answer naming an unconfigured department is an unknown department")
        func unknownDepartment() async throws {
            let answer = #"{"department":"billing","confidence":0.8,"priority":"normal","tags":[]}"#
            try await Server.withServer(replying: [.completion(content: answer)]) { _, baseURL in
                let classifier = try classifier(baseURL)
                #expect(await failure(classifier) == .unknownDepartment("billing"))
            }
        }

        @Test("content that is not the requested JSON is invalid output", arguments: [
            ("Sure! The department is cards.", #"`answer` is not valid JSON at line 1, column 1 (byte 0): unexpected "S"; expected a value"#),
            (#"{"department":"cards","priority":"low","tags":[]}"#, "missing `answer.confidence`"),
            (#"{"department":"cards","confidence":"high","priority":"low","tags":[]}"#, "`answer.confidence` is not a number"),
            (#"{"department":"cards","confidence":1.5,"priority":"low","tags":[]}"#, "`answer.confidence` is 1.5, outside 0…1"),
            (#"{"department":"cards","confidence":0.5,"priority":"low","tags":[3]}"#, "`answer.tags[0]` is not a string"),
            (#"{"department":"cards","confidence":0.5,"priority":"asap","tags":[]}"#,
             #"`answer.priority` is "asap", not one of low, normal, high, urgent"#),
            (#"{"department":null,"confidence":0.5,"priority":"low","tags":[]}"#, "`answer.department` is null"),
            (#"["cards"]"#, "`answer` is not an object but an array"),
        ])
        func invalidContent(content: String, reason: String) async throws {
            try await Server.withServer(replying: [.completion(content: content)]) { _, baseURL in
                let failure = await failure(try classifier(baseURL))
                #expect(failure == .invalidOutput(reason))
            }
        }

        @Test("a refusal is invalid output")
        func refusal() async throws {
            try await Server.withServer(replying: [.refusal("I'm sorry, I can't help with that.")]) { _, baseURL in
                let classifier = try classifier(baseURL)
                #expect(await failure(classifier) == .invalidOutput("the model refused: I'm sorry, I can't help with that."))
            }
        }

        @Test("a refused connection is a transport failure")
        func connectionRefused() async throws {
            let baseURL = try await Server.closedPortURL()
            let failure = await failure(try classifier(baseURL), within: .seconds(1))
            guard case .transport(let message) = failure else {
                Issue.record("expected a transport failure, got \(String(describing: failure))")
                return
            }
            #expect(message.contains("refused"))
        }

        @Test("logs never contain the API key or the ticket text")
        func logsKeepSecrets() async throws {
            let (logger, lines) = RecordingLogHandler.logger()
            let replies: [Server.Reply] = [
                .error(status: 503, message: "Overloaded", type: "server_error", code: nil, retryAfter: "0"),
                .completion(content: Self.validAnswer),
            ]
            try await Server.withServer(replying: replies) { _, baseURL in
                _ = try await classify(try classifier(baseURL, logger: logger))
            }
            let logged = lines.all.joined(separator: "\n")
            #expect(!lines.all.isEmpty)
            #expect(!logged.contains(Self.apiKey))
            #expect(!logged.contains("Card never arrived"))
            #expect(!logged.contains("12345678"))
            let wire = try classifier("http://127.0.0.1:9/v1").wire
            #expect(!"\(wire)".contains(Self.apiKey))
            #expect("\(wire)".contains("apiKey: <redacted>"))
        }

        @Test("an invalid prompt template fails at construction")
        func invalidTemplate() {
            #expect(throws: PromptTemplateError.self) {
                try Self.chatClassifier(baseURL: "http://127.0.0.1:9/v1", model: "m", promptTemplate: "{{#departments}}")
            }
        }
    }
}
