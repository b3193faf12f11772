import AsyncHTTPClient
import Foundation
import Logging
import SwitchyardCore
@testable import SwitchyardModels
import Testing

extension SerializedModelsTests {
    /// The shared transport and each provider's wire format, against in-process servers that
    /// answer in the providers' documented shapes: streamed and whole answers, their error
    /// bodies, cut and stalled streams, every timeout, `Retry-After`.
    @Suite("Provider gateway: transport, streaming and wire formats")
    struct ProviderGatewayTests {
        typealias Server = FakeChatCompletionsServer
        static let departments = OpenAICompatibleClassifierTests.departments
        static let ticket = OpenAICompatibleClassifierTests.ticket
        static let answer = #"{"department":"cards","confidence":0.8,"priority":"high","tags":["card-delivery"]}"#

        static func classifier(
            _ wire: any ProviderWireFormat, model: String = "m", streaming: Bool = false, logprobs: Bool = false,
            timeouts: ProviderTimeouts = ProviderTimeouts(), maxRetries: Int = 0
        ) throws -> LLMClassifier {
            try LLMClassifier(
                configuration: .init(
                    name: "p", model: model, timeouts: timeouts, retry: RetryPolicy(maxRetries: maxRetries, initialBackoff: .milliseconds(10)),
                    streaming: streaming, logprobs: logprobs),
                wire: wire, httpClient: OpenAICompatibleClassifierTests.httpClient,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        }

        static func chat(_ baseURL: String) -> ChatCompletionsWireFormat {
            ChatCompletionsWireFormat(baseURL: baseURL, apiKey: "sk-test", dialect: .openai, apiVersion: ChatCompletionsWireFormat.defaultAPIVersion)
        }

        /// Classifies, returning the outcome and the attempts recorded.
        static func run(_ classifier: LLMClassifier, within budget: Duration = .seconds(5)) async
            -> (Result<Classification, ClassificationFailure>, [ModelAttempt])
        {
            var attempts: [ModelAttempt] = []
            do {
                let classification = try await classifier.classify(
                    ticket, departments: departments, deadline: .now + budget, attempts: &attempts)
                return (.success(classification), attempts)
            } catch {
                return (.failure(error), attempts)
            }
        }

        /// `data: JSON` events of a streamed chat completion writing `content` in pieces.
        static func chatChunks(_ content: String, pieces: Int = 4, finish: Bool = true, done: Bool = true) -> [String] {
            let characters = Array(content)
            let size = max(1, characters.count / pieces)
            var events = [
                #"data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#
                    + "\n\n"
            ]
            var index = 0
            while index < characters.count {
                let piece = String(characters[index..<min(index + size, characters.count)])
                let escaped = String(decoding: try! JSONEncoder().encode(piece), as: UTF8.self)
                events.append(
                    #"data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"#
                        + escaped + #"},"finish_reason":null}]}"# + "\n\n")
                index += size
            }
            if finish {
                events.append(
                    #"data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n")
                events.append(
                    #"data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":301,"completion_tokens":22,"total_tokens":323}}"#
                        + "\n\n")
            }
            if done { events.append("data: [DONE]\n\n") }
            return events
        }

        // MARK: - Streaming and timeouts

        @Test("a streamed chat completion is read piece by piece, with its usage and time to first token; the request asks for a stream")
        func streamedChatCompletion() async throws {
            try await Server.withServer(replying: [.stream(Self.chatChunks(Self.answer))]) { server, baseURL in
                let (result, attempts) = await Self.run(try Self.classifier(Self.chat(baseURL), streaming: true))
                let classification = try result.get()
                #expect(classification.department == "cards" && classification.priority == .high)
                #expect(classification.usage == TokenUsage(promptTokens: 301, completionTokens: 22))
                #expect(classification.modelVersion == "gpt-4o-mini-2024-07-18")
                #expect(attempts.count == 1 && attempts[0].outcome == .answered && attempts[0].status == 200)
                let firstToken = try #require(attempts[0].firstTokenMilliseconds)
                #expect(firstToken <= attempts[0].latencyMilliseconds)
                let request = try #require(await server.requests.first)
                let json = try request.json
                #expect(json["stream"] as? Bool == true)
                #expect((json["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
                #expect(request.headers[.accept] == "text/event-stream")
            }
        }

        @Test("a stream cut mid-answer is a failure, never a decision; it is retried and the retry's answer counts")
        func cutStream() async throws {
            let replies: [Server.Reply] = [
                .stream(Array(Self.chatChunks(Self.answer, finish: false, done: false).prefix(3)), ending: .cut),
                .stream(Self.chatChunks(Self.answer)),
            ]
            try await Server.withServer(replying: replies) { server, baseURL in
                let (result, attempts) = await Self.run(try Self.classifier(Self.chat(baseURL), streaming: true, maxRetries: 1))
                #expect(try result.get().department == "cards")
                #expect(attempts.map(\.outcome) == [.failed, .answered])
                #expect(attempts[0].reason?.contains("transport error") == true, "\(attempts[0])")
                #expect(await server.requests.count == 2)
            }
        }

        @Test("a stream that ends without finish_reason or [DONE] is incomplete, even when its text parses")
        func streamWithoutEnd() async throws {
            try await Server.withServer(replying: [.stream(Self.chatChunks(Self.answer, finish: false, done: false))]) { _, baseURL in
                let (result, _) = await Self.run(try Self.classifier(Self.chat(baseURL), streaming: true))
                #expect(
                    result.failure
                        == .transport("the stream ended before the answer was complete (no finish_reason, no [DONE])"))
            }
        }

        @Test("no first token within first_token_timeout: the attempt ends then, though the headers came at once")
        func firstTokenTimeout() async throws {
            let roleOnly = Array(Self.chatChunks(Self.answer).prefix(1))
            try await Server.withServer(replying: [.stream(roleOnly, ending: .stall)]) { _, baseURL in
                let started = ContinuousClock.now
                let classifier = try Self.classifier(
                    Self.chat(baseURL), streaming: true, timeouts: ProviderTimeouts(firstToken: .milliseconds(200)))
                let (result, attempts) = await Self.run(classifier, within: .seconds(10))
                #expect(result.failure == .noFirstToken(after: .milliseconds(200)))
                #expect(ContinuousClock.now - started < .seconds(5), "ended by the first-token limit, not the deadline")
                #expect(attempts.first?.status == 200 && attempts.first?.firstTokenMilliseconds == nil)
            }
        }

        @Test("a stream silent for idle_timeout after its first token ends the attempt")
        func idleTimeout() async throws {
            let begun = Array(Self.chatChunks(Self.answer, pieces: 8).prefix(3))
            try await Server.withServer(replying: [.stream(begun, ending: .stall)]) { _, baseURL in
                let started = ContinuousClock.now
                let classifier = try Self.classifier(
                    Self.chat(baseURL), streaming: true,
                    timeouts: ProviderTimeouts(firstToken: .seconds(5), idle: .milliseconds(200)))
                let (result, attempts) = await Self.run(classifier, within: .seconds(10))
                #expect(result.failure == .streamIdle(after: .milliseconds(200)))
                #expect(ContinuousClock.now - started < .seconds(5))
                #expect(attempts.first?.firstTokenMilliseconds != nil, "the first token came before the silence")
            }
        }

        @Test("timeout bounds one attempt of a non-streamed call; the next attempt gets a fresh one")
        func totalTimeoutPerAttempt() async throws {
            try await Server.withServer(replying: [.hang, .completion(content: Self.answer)]) { server, baseURL in
                let classifier = try Self.classifier(
                    Self.chat(baseURL), timeouts: ProviderTimeouts(total: .milliseconds(200)), maxRetries: 1)
                let (result, attempts) = await Self.run(classifier, within: .seconds(10))
                #expect(try result.get().department == "cards")
                #expect(attempts.map(\.outcome) == [.failed, .answered])
                #expect(attempts[0].reason?.hasPrefix("timed out after") == true)
                #expect(await server.requests.count == 2)
            }
        }

        // MARK: - Retries

        @Test("a 429's Retry-After is waited before the retry")
        func retryAfterIsHonoured() async throws {
            let limited = Server.Reply.error(
                status: 429, message: "Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded", retryAfter: "1")
            try await Server.withServer(replying: [limited, .completion(content: Self.answer)]) { server, baseURL in
                let started = ContinuousClock.now
                let (result, attempts) = await Self.run(try Self.classifier(Self.chat(baseURL), maxRetries: 2), within: .seconds(10))
                #expect(try result.get().department == "cards")
                #expect(ContinuousClock.now - started >= .seconds(1), "the retry came before Retry-After")
                #expect(attempts.map(\.status) == [429, 200])
                #expect(attempts[0].reason == "HTTP 429: Rate limit reached for requests (rate_limit_exceeded)")
                #expect(await server.requests.count == 2)
            }
        }

        @Test("retry-after-ms (OpenAI, Azure) is read in milliseconds; Retry-After as seconds or a date")
        func retryAfterHeaders() {
            #expect(ProviderTransport.retryAfter(seconds: "7", milliseconds: "1500") == .milliseconds(1500))
            #expect(ProviderTransport.retryAfter(seconds: "7", milliseconds: nil) == .seconds(7))
            #expect(ProviderTransport.retryAfter(seconds: "soon", milliseconds: nil) == nil)
        }

        @Test("backoff doubles from the initial wait up to the maximum, with jitter in the upper half of each step")
        func backoff() {
            let policy = RetryPolicy(maxRetries: 8, initialBackoff: .milliseconds(100), maximumBackoff: .seconds(1))
            var random = SeededRandomNumberGenerator(seed: 7)
            for retry in 1...8 {
                let step = min(Duration.seconds(1), .milliseconds(100) * (1 << (retry - 1)))
                for _ in 0..<50 {
                    let wait = policy.backoff(beforeRetry: retry, using: &random)
                    #expect(wait >= step / 2 && wait <= step, "retry \(retry): \(wait) outside \(step / 2)…\(step)")
                }
            }
            let waits = (0..<50).map { _ in policy.backoff(beforeRetry: 3, using: &random) }
            #expect(Set(waits).count > 40, "jitter spreads callers that failed together")
        }

        @Test("a client error is final: not retried")
        func clientErrorIsFinal() async throws {
            let invalid = Server.Reply.error(status: 400, message: "Invalid schema", type: "invalid_request_error", code: nil)
            try await Server.withServer(replying: [invalid, .completion(content: Self.answer)]) { server, baseURL in
                let (result, attempts) = await Self.run(try Self.classifier(Self.chat(baseURL), maxRetries: 3))
                #expect(result.failure == .httpStatus(400, message: "Invalid schema (invalid_request_error)"))
                #expect(attempts.count == 1)
                #expect(await server.requests.count == 1)
            }
        }

        // MARK: - Confidence from log-probabilities

        @Test("with logprobs the confidence is the probability of the department's tokens, not the number the model wrote")
        func logprobConfidence() async throws {
            // The answer says 0.5; its tokens give the department 0.9 × 0.95.
            let tokens: [(String, Double)] = [
                (#"{""#, -0.0001), ("department", 0), (#"":""#, 0), ("cards", log(0.9)), (#"",""#, log(0.95)),
                (#"confidence":0.5,"priority":"high","tags":[]}"#, -0.2),
            ]
            let content = tokens.map(\.0).joined()
            let logprobs = tokens.map { #"{"token":\#(String(decoding: try! JSONEncoder().encode($0.0), as: UTF8.self)),"logprob":\#($0.1),"bytes":[]}"# }
            let escaped = String(decoding: try JSONEncoder().encode(content), as: UTF8.self)
            let body =
                #"{"id":"c","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"#
                + escaped + #"},"logprobs":{"content":["# + logprobs.joined(separator: ",")
                + #"]},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}"#
            try await Server.withServer(replying: [.raw(status: 200, body: body)]) { server, baseURL in
                let (result, _) = await Self.run(try Self.classifier(Self.chat(baseURL), logprobs: true))
                let confidence = try result.get().confidence
                #expect(abs(confidence - 0.9 * 0.95) < 1e-9, "\(confidence)")
                #expect(try #require(await server.requests.first).json["logprobs"] as? Bool == true)
            }
        }

        @Test("tokens that do not spell the answer leave the model's own confidence")
        func logprobsThatDoNotFit() {
            let text = #"{"department":"cards","confidence":0.5}"#
            #expect(LLMClassifier.probability(ofValueOf: "department", in: text, tokens: [TokenLogprob(token: "x", logprob: -1)]) == nil)
            let whole = [TokenLogprob(token: text, logprob: log(0.25))]
            #expect(abs((LLMClassifier.probability(ofValueOf: "department", in: text, tokens: whole) ?? 0) - 0.25) < 1e-12)
        }

        // MARK: - Anthropic

        static func anthropic(_ baseURL: String) -> AnthropicMessagesWireFormat {
            AnthropicMessagesWireFormat(baseURL: baseURL, apiKey: "sk-ant-test")
        }

        static let anthropicMessage = #"""
            {"id":"msg_01Aq9w938a90dw8q","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001",
             "content":[{"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"classify_ticket",
                         "input":{"department":"cards","confidence":0.8,"priority":"high","tags":["card-delivery"]}}],
             "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":412,"output_tokens":38}}
            """#

        @Test("Anthropic: a forced classify_ticket tool call with the schema as input_schema; the tool input is the answer")
        func anthropicMessage() async throws {
            try await Server.withServer(replying: [.raw(status: 200, body: Self.anthropicMessage)]) { server, baseURL in
                let (result, _) = await Self.run(try Self.classifier(Self.anthropic(baseURL), model: "claude-haiku-4-5"))
                let classification = try result.get()
                #expect(classification.department == "cards" && classification.tags == ["card-delivery"])
                #expect(classification.usage == TokenUsage(promptTokens: 412, completionTokens: 38))
                #expect(classification.modelVersion == "claude-haiku-4-5-20251001")
                #expect(classification.classifier == "p/claude-haiku-4-5")
                let request = try #require(await server.requests.first)
                #expect(request.path == "/v1/messages")
                #expect(request.headers[.init("x-api-key")!] == "sk-ant-test")
                #expect(request.headers[.init("anthropic-version")!] == "2023-06-01")
                #expect(request.authorization == nil)
                let json = try request.json
                #expect(json["max_tokens"] as? Int == 200)
                #expect((json["system"] as? String)?.contains("cards") == true, "the departments are in the system prompt")
                #expect((json["tool_choice"] as? [String: String]) == ["type": "tool", "name": "classify_ticket"])
                let tool = try #require((json["tools"] as? [[String: Any]])?.first)
                let schema = try #require(tool["input_schema"] as? [String: Any])
                let properties = try #require(schema["properties"] as? [String: [String: Any]])
                #expect(properties["department"]?["enum"] as? [String] == ["cards", "fees_fx", "fraud_security"])
                #expect(properties["tags"]?["maxItems"] as? Int == 5)
            }
        }

        @Test("Anthropic: a streamed tool call is assembled from input_json_delta events and ends with message_stop")
        func anthropicStream() async throws {
            let events = [
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5-20251001\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":412,\"output_tokens\":1}}}\n\n",
                "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"classify_ticket\",\"input\":{}}}\n\n",
                "event: ping\ndata: {\"type\": \"ping\"}\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"department\\\": \\\"ca\"}}\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"rds\\\", \\\"confidence\\\": 0.8, \\\"priority\\\": \\\"high\\\", \\\"tags\\\": []}\"}}\n\n",
                "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
                "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":38}}\n\n",
                "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
            ]
            try await Server.withServer(replying: [.stream(events)]) { server, baseURL in
                let (result, attempts) = await Self.run(try Self.classifier(Self.anthropic(baseURL), streaming: true))
                let classification = try result.get()
                #expect(classification.department == "cards")
                #expect(classification.usage == TokenUsage(promptTokens: 412, completionTokens: 38))
                #expect(attempts.first?.firstTokenMilliseconds != nil)
                #expect(try #require(await server.requests.first).json["stream"] as? Bool == true)
            }
        }

        @Test("Anthropic: a stream cut before message_stop is a failure")
        func anthropicCutStream() async throws {
            let events = [
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"model\":\"claude-haiku-4-5\",\"content\":[],\"usage\":{\"input_tokens\":4,\"output_tokens\":1}}}\n\n",
                "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"classify_ticket\",\"input\":{}}}\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"department\\\": \\\"cards\\\"}\"}}\n\n",
            ]
            try await Server.withServer(replying: [.stream(events)]) { _, baseURL in
                let (result, _) = await Self.run(try Self.classifier(Self.anthropic(baseURL), streaming: true))
                #expect(result.failure == .transport("the stream ended before the answer was complete (no message_stop)"))
            }
        }

        @Test("Anthropic: an overloaded_error (529) and an error event in a stream say what the API said")
        func anthropicErrors() async throws {
            let overloaded = #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}"#
            let streamError = [
                "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"
            ]
            try await Server.withServer(replying: [.raw(status: 529, body: overloaded), .stream(streamError)]) { _, baseURL in
                let (whole, _) = await Self.run(try Self.classifier(Self.anthropic(baseURL)))
                #expect(whole.failure == .httpStatus(529, message: "Overloaded (overloaded_error)"))
                let (streamed, _) = await Self.run(try Self.classifier(Self.anthropic(baseURL), streaming: true))
                #expect(streamed.failure == .transport("the stream reported an error: Overloaded (overloaded_error)"))
            }
        }

        @Test("Anthropic: text instead of the tool call is invalid output, quoting the text")
        func anthropicWithoutToolCall() async throws {
            let message = #"{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[{"type":"text","text":"I cannot classify this."}],"stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":6}}"#
            try await Server.withServer(replying: [.raw(status: 200, body: message)]) { _, baseURL in
                let (result, _) = await Self.run(try Self.classifier(Self.anthropic(baseURL)))
                #expect(result.failure == .invalidOutput("the model did not call classify_ticket: I cannot classify this."))
            }
        }

        // MARK: - Gemini

        static func gemini(_ baseURL: String) -> GeminiWireFormat {
            GeminiWireFormat(baseURL: baseURL, apiKey: "AIza-test")
        }

        static func geminiResponse(text: String, finishReason: String? = "STOP", usage: Bool = true) -> String {
            let escaped = String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
            return #"{"candidates":[{"content":{"parts":[{"text":"# + escaped + #"}],"role":"model"}"#
                + (finishReason.map { #","finishReason":"\#($0)""# } ?? "") + #","index":0}]"#
                + (usage ? #","usageMetadata":{"promptTokenCount":377,"candidatesTokenCount":31,"totalTokenCount":408}"# : "")
                + #","modelVersion":"gemini-2.5-flash","responseId":"abc"}"#
        }

        @Test("Gemini: generateContent with a response schema in the API's own types; the key in x-goog-api-key, never the URL")
        func geminiWhole() async throws {
            try await Server.withServer(replying: [.raw(status: 200, body: Self.geminiResponse(text: Self.answer))]) { server, baseURL in
                let (result, _) = await Self.run(try Self.classifier(Self.gemini(baseURL), model: "gemini-2.5-flash"))
                let classification = try result.get()
                #expect(classification.department == "cards")
                #expect(classification.usage == TokenUsage(promptTokens: 377, completionTokens: 31))
                #expect(classification.modelVersion == "gemini-2.5-flash")
                let request = try #require(await server.requests.first)
                #expect(request.path == "/v1/models/gemini-2.5-flash:generateContent")
                #expect(request.headers[.init("x-goog-api-key")!] == "AIza-test")
                #expect(request.query == nil)
                let json = try request.json
                let config = try #require(json["generationConfig"] as? [String: Any])
                #expect(config["responseMimeType"] as? String == "application/json")
                #expect(config["maxOutputTokens"] as? Int == 200)
                let schema = try #require(config["responseSchema"] as? [String: Any])
                #expect(schema["type"] as? String == "OBJECT")
                #expect(schema["propertyOrdering"] as? [String] == ["department", "confidence", "priority", "tags"])
                let properties = try #require(schema["properties"] as? [String: [String: Any]])
                #expect(properties["department"]?["enum"] as? [String] == ["cards", "fees_fx", "fraud_security"])
                #expect(properties["department"]?["type"] as? String == "STRING")
                #expect(properties["tags"]?["maxItems"] as? String == "5")
                let system = try #require(json["systemInstruction"] as? [String: Any])
                #expect(((system["parts"] as? [[String: String]])?.first?["text"])?.contains("fees_fx") == true)
            }
        }

        @Test("Gemini: streamGenerateContent?alt=sse is read until a candidate's finishReason")
        func geminiStream() async throws {
            let pieces = [String(Self.answer.prefix(20)), String(Self.answer.dropFirst(20))]
            let events = [
                "data: " + Self.geminiResponse(text: pieces[0], finishReason: nil, usage: false) + "\r\n\r\n",
                "data: " + Self.geminiResponse(text: pieces[1], finishReason: "STOP") + "\r\n\r\n",
            ]
            try await Server.withServer(replying: [.stream(events)]) { server, baseURL in
                let (result, _) = await Self.run(try Self.classifier(Self.gemini(baseURL), model: "gemini-2.5-flash", streaming: true))
                #expect(try result.get().department == "cards")
                let request = try #require(await server.requests.first)
                #expect(request.path == "/v1/models/gemini-2.5-flash:streamGenerateContent")
                #expect(request.query == "alt=sse")
            }
        }

        @Test("Gemini: RESOURCE_EXHAUSTED, a safety stop and a blocked prompt are failures that say so")
        func geminiFailures() async throws {
            let exhausted = #"{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}"#
            let safety = Self.geminiResponse(text: "", finishReason: "SAFETY")
            let blocked = #"{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":12,"totalTokenCount":12},"modelVersion":"gemini-2.5-flash"}"#
            let replies: [Server.Reply] = [
                .raw(status: 429, body: exhausted), .raw(status: 200, body: safety), .raw(status: 200, body: blocked),
            ]
            try await Server.withServer(replying: replies) { _, baseURL in
                let classifier = try Self.classifier(Self.gemini(baseURL))
                #expect(
                    await Self.run(classifier).0.failure
                        == .httpStatus(429, message: "Resource has been exhausted (e.g. check quota). (RESOURCE_EXHAUSTED)"))
                #expect(await Self.run(classifier).0.failure == .invalidOutput("the model refused: the answer was stopped: finishReason SAFETY"))
                #expect(await Self.run(classifier).0.failure == .invalidOutput("the model refused: the prompt was blocked: blockReason SAFETY"))
            }
        }

        @Test("a garbage body is invalid output naming what it is not")
        func garbage() async throws {
            try await Server.withServer(replying: [.raw(status: 200, body: "<html>502 Bad Gateway</html>")]) { _, baseURL in
                let (result, _) = await Self.run(try Self.classifier(Self.gemini(baseURL)))
                guard case .invalidOutput(let reason) = result.failure else {
                    Issue.record("expected invalid output, got \(String(describing: result.failure))")
                    return
                }
                #expect(reason.hasPrefix("not a Gemini GenerateContentResponse"))
            }
        }
    }
}

extension Result {
    /// The failure, or nil on success.
    var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
