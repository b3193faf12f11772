public import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOFoundationCompat
public import SwitchyardCore

/// Classifies with any OpenAI-compatible chat completions API (OpenAI, Azure OpenAI,
/// Ollama, vLLM, llama.cpp server, OpenRouter…) using structured output.
///
/// One call is `POST {baseURL}/chat/completions` with the rendered prompt and a strict JSON
/// schema whose `department` enum is the configured department ids. A `429` or `5xx` answer
/// is retried up to ``Configuration/maxRetries`` times, after `Retry-After` (or
/// ``Configuration/retryBackoff``) when that still fits before the deadline; otherwise the
/// status is the failure at once. The whole call, retries included, ends by the deadline.
///
/// Logs carry the classifier name, status, attempt and timings, never the API key or the
/// ticket's text.
public struct OpenAICompatibleClassifier: Classifier {
    /// Where and how to call the provider.
    public struct Configuration: Sendable {
        /// The provider's key in the configuration (`model.providers.NAME`): with the model, it
        /// names the classifier (`NAME/model`), so two providers serving one model stay apart.
        public var name: String
        /// For example `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`; for Azure
        /// the deployment's URL, `https://RESOURCE.openai.azure.com/openai/deployments/DEPLOYMENT`.
        public var baseURL: String
        /// For example `gpt-4o-mini`.
        public var model: String
        /// Sent as `Authorization: Bearer …` when set (Azure: as `api-key`).
        public var apiKey: String?
        /// How the server is asked for the schema.
        public var dialect: StructuredOutputDialect
        /// `max_tokens`, always sent.
        public var maxTokens: Int
        /// Whether the instructions go in a system message; otherwise they open the user message.
        public var systemMessage: Bool
        /// Azure OpenAI's `api-version` query parameter.
        public var apiVersion: String
        /// Whether personal data and secrets are replaced by placeholders before the ticket is
        /// sent (``PersonalDataRedactor``).
        public var redactsPersonalData: Bool
        /// The most of a ticket's body sent, in tokens (estimated at four characters each): a
        /// longer body keeps its head and tail and says what was cut between them.
        public var maxInputTokens: Int
        /// Limit for one HTTP call, within the overall deadline; nil for the deadline alone.
        public var timeout: Duration?
        /// Mustache template of the messages; see ``PromptTemplate``.
        public var promptTemplate: String
        /// Further attempts after a `429` or `5xx` answer.
        public var maxRetries: Int
        public var temperature: Double
        /// Wait before a retry when the provider sends no `Retry-After`.
        public var retryBackoff: Duration

        /// The answer's bound when none is configured: a classification is a few dozen tokens.
        public static let defaultMaxTokens = 200
        /// About 8,000 characters of body: more than nearly any ticket's own text, far less
        /// than a 1 MB body (some 245,000 tokens).
        public static let defaultMaxInputTokens = 2000
        /// Azure OpenAI's generally available API version this is written against.
        public static let defaultAPIVersion = "2024-10-21"

        public init(
            name: String = "openai",
            baseURL: String,
            model: String,
            apiKey: String? = nil,
            dialect: StructuredOutputDialect = .openai,
            maxTokens: Int = defaultMaxTokens,
            systemMessage: Bool? = nil,
            apiVersion: String = defaultAPIVersion,
            redactsPersonalData: Bool = true,
            maxInputTokens: Int = defaultMaxInputTokens,
            timeout: Duration? = nil,
            promptTemplate: String = PromptTemplate.default,
            maxRetries: Int = 1,
            temperature: Double = 0,
            retryBackoff: Duration = .milliseconds(500)
        ) {
            self.name = name
            self.baseURL = baseURL
            self.model = model
            self.apiKey = apiKey
            self.dialect = dialect
            self.maxTokens = maxTokens
            self.systemMessage = systemMessage ?? dialect.sendsSystemMessage
            self.apiVersion = apiVersion
            self.redactsPersonalData = redactsPersonalData
            self.maxInputTokens = maxInputTokens
            self.timeout = timeout
            self.promptTemplate = promptTemplate
            self.maxRetries = maxRetries
            self.temperature = temperature
            self.retryBackoff = retryBackoff
        }
    }

    public let configuration: Configuration
    /// The parsed ``Configuration/promptTemplate``; its version is recorded in decisions.
    public let prompt: PromptTemplate
    private let httpClient: HTTPClient
    private let logger: Logger
    private let endpoint: String

    /// Largest response body read; a classification answer is a few hundred bytes.
    static let maximumResponseBytes = 1 << 20

    /// - Throws: ``PromptTemplateError`` when the prompt template is not valid Mustache.
    public init(configuration: Configuration, httpClient: HTTPClient, logger: Logger) throws(PromptTemplateError) {
        self.configuration = configuration
        self.prompt = try PromptTemplate(configuration.promptTemplate)
        self.httpClient = httpClient
        var logger = logger
        logger[metadataKey: "classifier"] = "\(configuration.name)/\(configuration.model)"
        self.logger = logger
        var baseURL = Substring(configuration.baseURL)
        while baseURL.hasSuffix("/") { baseURL = baseURL.dropLast() }
        self.endpoint =
            baseURL + "/chat/completions"
            + (configuration.dialect == .azure
                ? "?api-version=" + PercentEncoding.escapingAllButUnreserved(configuration.apiVersion) : "")
    }

    /// `<provider key>/<model>`.
    public var name: String { "\(configuration.name)/\(configuration.model)" }

    public func classify(
        _ ticket: Ticket,
        departments: DepartmentCatalog,
        deadline: ContinuousClock.Instant
    ) async throws(ClassificationFailure) -> Classification {
        let clock = ContinuousClock()
        let start = clock.now
        let body = try requestBody(ticket, departments: departments)
        var attempt = 0
        while true {
            attempt += 1
            let attemptDeadline = configuration.timeout.map { min(deadline, clock.now + $0) } ?? deadline
            let response = try await send(body, deadline: attemptDeadline, startedAt: start)
            let status = response.status
            if (200..<300).contains(status) {
                let classification = try classification(from: response.body, departments: departments)
                logger.debug(
                    "Chat completion classified a ticket",
                    metadata: [
                        "attempt": "\(attempt)",
                        "latency_ms": "\((clock.now - start).milliseconds.formatted(digits: 1))",
                        "prompt_tokens": "\(classification.usage?.promptTokens ?? 0)",
                        "completion_tokens": "\(classification.usage?.completionTokens ?? 0)",
                    ]
                )
                return classification
            }

            let failure = ClassificationFailure.httpStatus(status, message: Self.errorMessage(response))
            let retryable = status == 429 || (500..<600).contains(status)
            guard retryable, attempt <= configuration.maxRetries else {
                logger.debug("Chat completion failed", metadata: ["status": "\(status)", "attempt": "\(attempt)"])
                throw failure
            }
            let wait = response.retryAfter ?? configuration.retryBackoff
            guard clock.now + wait < deadline else {
                logger.debug(
                    "Chat completion failed; no time left to retry",
                    metadata: ["status": "\(status)", "attempt": "\(attempt)", "retry_after_ms": "\(wait.milliseconds)"]
                )
                throw failure
            }
            logger.info(
                "Retrying chat completion",
                metadata: ["status": "\(status)", "attempt": "\(attempt)", "retry_after_ms": "\(wait.milliseconds)"]
            )
            do {
                try await Task.sleep(until: clock.now + wait, clock: clock)
            } catch {
                throw .transport("cancelled while waiting to retry")
            }
        }
    }

    // MARK: - Request

    private func requestBody(_ ticket: Ticket, departments: DepartmentCatalog) throws(ClassificationFailure) -> ByteBuffer {
        var sent = configuration.redactsPersonalData ? Self.redacted(ticket) : ticket
        sent.body = Self.bounded(sent.body, toTokens: configuration.maxInputTokens)
        let rendered = prompt.render(sent, departments: departments)
        var messages: [ChatCompletionRequest.Message] = []
        switch rendered.system {
        case let system? where configuration.systemMessage:
            messages.append(.init(role: "system", content: system))
            messages.append(.init(role: "user", content: rendered.user))
        case let system?:
            // A chat format without a system role would drop the instructions: they open the
            // user message instead, before the ticket.
            messages.append(.init(role: "user", content: system + "\n\n" + rendered.user))
        case nil:
            messages.append(.init(role: "user", content: rendered.user))
        }
        let request = ChatCompletionRequest(
            model: configuration.model,
            messages: messages,
            temperature: configuration.temperature,
            maxTokens: configuration.maxTokens,
            dialect: configuration.dialect,
            schema: ClassificationSchema(departmentIDs: departments.ids.map(\.rawValue))
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encodeAsByteBuffer(request, allocator: ByteBufferAllocator())
        } catch {
            throw .unavailable("cannot encode the request: \(error)")
        }
    }

    /// `ticket` with personal data and secrets in its subject, body and tags replaced by
    /// placeholders, consistently across them; the requester's name and e-mail are dropped.
    static func redacted(_ ticket: Ticket) -> Ticket {
        var copy = ticket
        let texts = PersonalDataRedactor().redact([ticket.subject, ticket.body] + ticket.tags, requesterName: ticket.requester?.name)
        copy.subject = texts[0]
        copy.body = texts[1]
        copy.tags = Array(texts.dropFirst(2))
        copy.requester = nil
        copy.originalBody = nil
        return copy
    }

    /// `body` cut to about `tokens` tokens (four characters each): two thirds from its head,
    /// one third from its tail, and between them a line saying how much was left out.
    static func bounded(_ body: String, toTokens tokens: Int) -> String {
        let limit = max(tokens, 1) * 4
        guard body.count > limit else { return body }
        let head = body.prefix(limit * 2 / 3)
        let tail = body.suffix(limit - head.count)
        return head + "\n[… \(body.count - head.count - tail.count) characters of the ticket cut here …]\n" + tail
    }

    private struct Response {
        var status: Int
        var reasonPhrase: String
        /// From `Retry-After` (seconds) or `retry-after-ms`; nil when absent or given as a date.
        var retryAfter: Duration?
        var body: ByteBuffer
    }

    /// One HTTP exchange, ending by `deadline`.
    private func send(_ body: ByteBuffer, deadline: ContinuousClock.Instant, startedAt start: ContinuousClock.Instant)
        async throws(ClassificationFailure) -> Response
    {
        let clock = ContinuousClock()
        let remaining = deadline - clock.now
        guard remaining > .zero else {
            throw .timedOut(after: clock.now - start)
        }
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        if let apiKey = configuration.apiKey {
            if configuration.dialect == .azure {
                request.headers.add(name: "api-key", value: apiKey)
            } else {
                request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
            }
        }
        request.body = .bytes(body)
        do {
            // AsyncHTTPClient's deadline covers the response head only (and reports a connection
            // error it kept retrying, such as a refused port, rather than a bare timeout).
            let response = try await httpClient.execute(request, deadline: .now() + TimeAmount(remaining))
            let body = try await Self.collect(response.body, by: deadline)
            return Response(
                status: Int(response.status.code),
                reasonPhrase: response.status.reasonPhrase,
                retryAfter: Self.retryAfter(
                    seconds: response.headers.first(name: "retry-after"),
                    milliseconds: response.headers.first(name: "retry-after-ms")
                ),
                body: body
            )
        } catch {
            throw Self.failure(for: error, deadlinePassed: clock.now >= deadline, elapsed: clock.now - start)
        }
    }

    private static func failure(for error: any Error, deadlinePassed: Bool, elapsed: Duration) -> ClassificationFailure {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout,
                .tlsHandshakeTimeout:
                return .timedOut(after: elapsed)
            case .cancelled where deadlinePassed:
                return .timedOut(after: elapsed)
            default:
                return .transport(String(describing: error))
            }
        }
        if error is NIOTooManyBytesError {
            return .invalidOutput("the response is larger than \(maximumResponseBytes) bytes")
        }
        if error is CancellationError {
            return deadlinePassed ? .timedOut(after: elapsed) : .transport("cancelled")
        }
        // Connection failures surface as NIO errors, even when AsyncHTTPClient only reports
        // them once the deadline passes (it keeps retrying to connect until then).
        if let error = error as? IOError {
            return .transport("connection failed: \(String(cString: strerror(error.errnoCode)))")
        }
        return .transport(String(describing: error))
    }

    /// Reads the whole body, or throws `deadlineExceeded` when the deadline comes first
    /// (which cancels the request).
    private static func collect(_ body: HTTPClientResponse.Body, by deadline: ContinuousClock.Instant) async throws -> ByteBuffer {
        do {
            return try await withDeadline(until: deadline) { try await body.collect(upTo: maximumResponseBytes) }
        } catch is DeadlineExceeded {
            throw HTTPClientError.deadlineExceeded
        }
    }

    /// Azure's `retry-after-ms`, or else `Retry-After` (seconds or an HTTP date); nil when
    /// absent, unreadable or beyond a day.
    static func retryAfter(seconds: String?, milliseconds: String?, now: Date = Date()) -> Duration? {
        if let milliseconds = milliseconds.flatMap(Double.init), (0...86_400_000).contains(milliseconds) {
            return .milliseconds(milliseconds)
        }
        return seconds.flatMap { RetryAfter.wait($0, now: now) }
    }

    private static func errorMessage(_ response: Response) -> String {
        let decoded = try? JSONDecoder().decode(ProviderErrorResponse.self, from: response.body)
        return ProviderErrorResponse.trimmed(decoded?.summary ?? response.reasonPhrase)
    }
}

extension OpenAICompatibleClassifier.Configuration: CustomStringConvertible {
    /// Everything but the API key, which shows only whether it is set.
    public var description: String {
        "Configuration(name: \(name), baseURL: \(baseURL), model: \(model), apiKey: \(apiKey == nil ? "none" : "<redacted>"), "
            + "dialect: \(dialect.rawValue), maxTokens: \(maxTokens), systemMessage: \(systemMessage), "
            + "redactsPersonalData: \(redactsPersonalData), "
            + "timeout: \(timeout?.formatted ?? "none"), maxRetries: \(maxRetries), temperature: \(temperature), "
            + "retryBackoff: \(retryBackoff.formatted))"
    }
}
