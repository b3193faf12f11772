import Crypto
public import AsyncHTTPClient
import Foundation
public import Logging
public import SwitchyardCore

/// Classifies with a large language model behind any provider: OpenAI-compatible chat
/// completions in each dialect, Anthropic's Messages API, Google's Gemini API. The
/// provider's ``ProviderWireFormat`` writes the request and reads the answer; the shared
/// ``ProviderTransport`` sends it (streaming, timeouts, retries); this type prepares what is
/// sent (redacted, bounded, rendered by the prompt template) and validates what came back.
///
/// The answer is checked in code whatever the provider promised: JSON with the four fields, a
/// configured department, a confidence in 0…1. Anything else is a model failure, never a
/// decision. Where the provider returned the answer's token log-probabilities, the confidence
/// is the probability of the department's tokens, not the number the model wrote.
///
/// Logs carry the classifier name, attempt and timings, never the API key or the ticket's text.
public struct LLMClassifier: Classifier {
    /// What is asked of the provider, and how long and how often.
    public struct Configuration: Sendable {
        /// The provider's key in the configuration (`model.providers.NAME`): with the model, it
        /// names the classifier (`NAME/model`), so two providers serving one model stay apart.
        public var name: String
        /// For example `gpt-4o-mini`, `claude-haiku-4-5`, `gemini-2.5-flash`.
        public var model: String
        /// The answer's bound, always sent.
        public var maxTokens: Int
        public var temperature: Double
        /// Whether personal data and secrets are replaced by placeholders before the ticket is
        /// sent, by ``redactor``.
        public var redactsPersonalData: Bool
        /// The built-in kinds of personal data and the configured patterns.
        public var redactor: PersonalDataRedactor
        /// The most of a ticket's body sent, in tokens (estimated at four characters each): a
        /// longer body keeps its head and tail and says what was cut between them.
        public var maxInputTokens: Int
        /// Mustache template of the messages; see ``PromptTemplate``.
        public var promptTemplate: String
        public var timeouts: ProviderTimeouts
        public var retry: RetryPolicy
        /// Ask for the answer as server-sent events, which makes the first-token and idle
        /// limits watch the answer as it is written.
        public var streaming: Bool
        /// Ask for token log-probabilities (OpenAI, llama.cpp, vLLM, Gemini) and take the
        /// confidence from them.
        public var logprobs: Bool
        /// What the provider charges; each attempt's `costUSD` is priced with it.
        public var prices: TokenPrices?
        /// How many confirmed past tickets like this one the prompt shows (from the
        /// classifier's ``SimilarTickets``); 0 shows none.
        public var examples: Int

        /// The answer's bound when none is configured: a classification is a few dozen tokens.
        public static let defaultMaxTokens = 200
        /// About 8,000 characters of body: more than nearly any ticket's own text, far less
        /// than a 1 MB body (some 245,000 tokens).
        public static let defaultMaxInputTokens = 2000
        /// The most of one example's body shown, in tokens: enough to recognise the request.
        public static let exampleBodyTokens = 120

        public init(
            name: String, model: String, maxTokens: Int = defaultMaxTokens, temperature: Double = 0, redactsPersonalData: Bool = true,
            redactor: PersonalDataRedactor = PersonalDataRedactor(), maxInputTokens: Int = defaultMaxInputTokens, promptTemplate: String = PromptTemplate.default,
            timeouts: ProviderTimeouts = ProviderTimeouts(), retry: RetryPolicy = RetryPolicy(), streaming: Bool = false,
            logprobs: Bool = false, prices: TokenPrices? = nil, examples: Int = 0
        ) {
            self.name = name
            self.model = model
            self.maxTokens = maxTokens
            self.temperature = temperature
            self.redactsPersonalData = redactsPersonalData
            self.redactor = redactor
            self.maxInputTokens = maxInputTokens
            self.promptTemplate = promptTemplate
            self.timeouts = timeouts
            self.retry = retry
            self.streaming = streaming
            self.logprobs = logprobs
            self.prices = prices
            self.examples = examples
        }
    }

    public let configuration: Configuration
    /// The prompt template in force (``Configuration/promptTemplate``, or the provider's file,
    /// reloaded when it changes); each call takes it once and records its version.
    public let prompts: PromptBook
    public let wire: any ProviderWireFormat
    /// Where the prompt's examples come from (``Configuration/examples`` of them); nil shows none.
    public let similarTickets: SimilarTickets?
    private let transport: ProviderTransport

    /// The classifier with ``Configuration/promptTemplate``, fixed.
    ///
    /// - Throws: ``PromptTemplateError`` when the prompt template is not valid Mustache.
    public init(configuration: Configuration, wire: any ProviderWireFormat, httpClient: HTTPClient, logger: Logger)
        throws(PromptTemplateError)
    {
        self.init(
            configuration: configuration, prompts: PromptBook(try PromptTemplate(configuration.promptTemplate)), wire: wire,
            httpClient: httpClient, logger: logger)
    }

    /// The classifier with the templates `prompts` holds, which a reload may swap, showing
    /// examples from `similarTickets`.
    public init(
        configuration: Configuration, prompts: PromptBook, wire: any ProviderWireFormat, similarTickets: SimilarTickets? = nil,
        httpClient: HTTPClient, logger: Logger
    ) {
        self.configuration = configuration
        self.prompts = prompts
        self.wire = wire
        self.similarTickets = similarTickets
        var logger = logger
        logger[metadataKey: "classifier"] = "\(configuration.name)/\(configuration.model)"
        self.transport = ProviderTransport(
            httpClient: httpClient, timeouts: configuration.timeouts, retry: configuration.retry, logger: logger)
    }

    /// `<provider key>/<model>`.
    public var name: String { "\(configuration.name)/\(configuration.model)" }

    public func classify(
        _ ticket: Ticket,
        departments: DepartmentCatalog,
        deadline: ContinuousClock.Instant,
        attempts: inout [ModelAttempt]
    ) async throws(ClassificationFailure) -> Classification {
        let (request, prompt) = try prepare(ticket, departments: departments, streaming: configuration.streaming, attempts: &attempts)
        let first = attempts.endIndex
        defer {
            // Every attempt that used tokens is priced, the failed ones too: they were billed.
            if let prices = configuration.prices {
                for index in attempts.indices[first...] {
                    attempts[index].costUSD = attempts[index].usage.map(prices.cost(of:))
                }
            }
        }
        return try await transport.exchange(
            request, wire: wire, streaming: configuration.streaming, provider: name, deadline: deadline, attempts: &attempts
        ) { reply throws(ClassificationFailure) in
            try classification(from: reply, departments: departments, prompt: prompt)
        }
    }

    // MARK: - What is sent

    /// The request for `ticket` and the prompt template it was rendered with. A ticket whose
    /// text could not be checked is not sent: its attempt is recorded as skipped, and thrown.
    func prepare(_ ticket: Ticket, departments: DepartmentCatalog, streaming: Bool, attempts: inout [ModelAttempt])
        throws(ClassificationFailure) -> (ProviderRequest, PromptTemplate)
    {
        let settings = ModelRequestSettings(
            model: configuration.model, maxTokens: configuration.maxTokens, temperature: configuration.temperature,
            departmentIDs: departments.ids.map(\.rawValue), streaming: streaming, logprobs: configuration.logprobs)
        let prompt = prompts.current
        let messages: PromptMessages
        do {
            messages = try self.messages(for: ticket, departments: departments, prompt: prompt)
        } catch {
            // Text that could not be checked is not sent; the next provider or the fallbacks decide.
            let reason = "\(error); nothing was sent"
            attempts.append(ModelAttempt(provider: name, outcome: .skipped, reason: reason))
            throw .skipped(reason)
        }
        return (try wire.request(messages, settings: settings), prompt)
    }

    /// What identifies this call's answer for the cache: a hash of the classifier's name,
    /// the model and the exact messages (the redacted, bounded ticket and the departments,
    /// rendered by the prompt template); nil when the ticket cannot be redacted (it is not sent).
    public func cacheKey(for ticket: Ticket, departments: DepartmentCatalog) -> String? {
        let prompt = prompts.current
        guard let messages = try? messages(for: ticket, departments: departments, prompt: prompt) else { return nil }
        var hash = SHA256()
        for part in [name, configuration.model, prompt.version, messages.system ?? "", messages.user] {
            hash.update(data: Array(part.utf8))
            hash.update(data: [0])
        }
        return hash.finalize().withUnsafeBytes { Hex.encode($0) }
    }

    /// The prompt `ticket` would be sent with, in tokens (four characters each): what a
    /// budget reserves for before the call.
    public func estimatedPromptTokens(for ticket: Ticket, departments: DepartmentCatalog) -> Int {
        // A ticket that cannot be redacted is not sent: it costs nothing.
        guard let messages = try? messages(for: ticket, departments: departments, prompt: prompts.current) else { return 0 }
        return ((messages.system?.count ?? 0) + messages.user.count) / 4 + 1
    }

    /// The prompt for `ticket` by `prompt`, with the examples most like it: each redacted
    /// when configured, its body bounded.
    ///
    /// - Throws: ``PersonalDataRedactor/Unfinished`` when a configured pattern could not
    ///   finish on the ticket's text or an example's.
    func messages(for ticket: Ticket, departments: DepartmentCatalog, prompt: PromptTemplate) throws(PersonalDataRedactor.Unfinished)
        -> PromptMessages
    {
        var sent = ticket
        if configuration.redactsPersonalData { sent = try Self.redacted(ticket, by: configuration.redactor) }
        sent.body = Self.bounded(sent.body, toTokens: configuration.maxInputTokens)
        let rendered = prompt.render(sent, departments: departments, examples: try examples(like: ticket, departments: departments))
        return PromptMessages(system: rendered.system, user: rendered.user)
    }

    /// The confirmed past tickets most like `ticket` whose department is still configured,
    /// redacted when configured (each on its own: its placeholders are its own), each body cut
    /// to its first ``Configuration/exampleBodyTokens`` tokens.
    private func examples(like ticket: Ticket, departments: DepartmentCatalog) throws(PersonalDataRedactor.Unfinished)
        -> [PromptTemplate.Example]
    {
        guard configuration.examples > 0, let similarTickets else { return [] }
        var shown: [PromptTemplate.Example] = []
        for example in similarTickets.nearest(to: ticket, count: configuration.examples, in: departments) {
            var subject = example.subject
            var body = example.body
            if configuration.redactsPersonalData {
                let texts = try configuration.redactor.redact([subject, body], requesterName: example.requesterName)
                subject = texts[0]
                body = texts[1]
            }
            // Its opening says what it is about; the rest would only cost tokens.
            let limit = Configuration.exampleBodyTokens * 4
            if body.count > limit { body = body.prefix(limit) + " […]" }
            shown.append(PromptTemplate.Example(subject: subject, body: body, department: example.department))
        }
        return shown
    }

    /// `ticket` with personal data and secrets in its subject, body and tags replaced by
    /// placeholders, consistently across them; the requester's name and e-mail are dropped.
    static func redacted(_ ticket: Ticket, by redactor: PersonalDataRedactor) throws(PersonalDataRedactor.Unfinished) -> Ticket {
        var copy = ticket
        let texts = try redactor.redact([ticket.subject, ticket.body] + ticket.tags, requesterName: ticket.requester?.name)
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

    // MARK: - What came back

    /// Reads the reply's JSON as a ``ClassificationAnswer`` and checks it against the
    /// configured departments and the schema's bounds.
    func classification(from reply: ProviderReply, departments: DepartmentCatalog, prompt: PromptTemplate) throws(ClassificationFailure)
        -> Classification
    {
        if let refusal = reply.refusal {
            throw .invalidOutput("the model refused: \(refusal.prefix(200))")
        }
        guard !reply.text.isEmpty else {
            throw .invalidOutput("the answer is empty" + (reply.cutOff ? " (cut off at max_tokens)" : ""))
        }
        let answer: ClassificationAnswer
        do {
            answer = try ClassificationAnswer(json: reply.text)
        } catch {
            throw .invalidOutput(error.explanation + (reply.cutOff ? " (the answer was cut off at max_tokens)" : ""))
        }

        // Allow rounding noise at the ends; anything further out is not a probability.
        let tolerance = 1e-6
        guard answer.confidence.isFinite, answer.confidence >= -tolerance, answer.confidence <= 1 + tolerance else {
            throw .invalidOutput("`answer.confidence` is \(answer.confidence), outside 0…1")
        }
        let department = DepartmentID(answer.department)
        guard departments.contains(department) else {
            throw .unknownDepartment(answer.department)
        }
        // Servers that take no schema (dialect json) may not keep its bounds: keep the first
        // few keywords, each cut to the schema's length, rather than refuse a good department.
        let tags = answer.tags.map { String($0.trimmingWhitespace().lowercased().prefix(ClassificationSchema.maximumTagLength)) }
            .filter { !$0.isEmpty }.removingDuplicates().prefix(ClassificationSchema.maximumTags)
        let measured = reply.logprobs.flatMap { Self.probability(ofValueOf: "department", in: reply.text, tokens: $0) }
        return Classification(
            department: department,
            confidence: measured ?? min(max(answer.confidence, 0), 1),
            priority: answer.priority,
            tags: Array(tags),
            classifier: name,
            promptVersion: prompt.version,
            modelVersion: reply.model,
            usage: reply.usage
        )
    }

    /// The probability the model gave the string value of `key` in the JSON object `text`:
    /// the product of the probabilities of the tokens that wrote it (those overlapping the
    /// value, its quotes included). Nil when the tokens do not spell `text` (a server that
    /// reports them for another part of the answer) or the value is not found.
    static func probability(ofValueOf key: String, in text: String, tokens: [TokenLogprob]) -> Double? {
        let bytes = Array(text.utf8)
        guard tokens.reduce(0, { $0 + $1.token.utf8.count }) == bytes.count,
            let value = valueRange(of: key, in: bytes)
        else { return nil }
        var offset = 0
        var sum = 0.0
        var counted = 0
        for token in tokens {
            let span = offset..<(offset + token.token.utf8.count)
            offset = span.upperBound
            guard span.overlaps(value), token.logprob.isFinite else { continue }
            sum += min(token.logprob, 0)
            counted += 1
        }
        return counted > 0 ? exp(sum) : nil
    }

    /// Byte range of `"value"` (quotes included) after `"key":` in `bytes`, a JSON object the
    /// schema made flat: the first occurrence of the quoted key followed by a colon.
    private static func valueRange(of key: String, in bytes: [UInt8]) -> Range<Int>? {
        let needle = Array("\"\(key)\"".utf8)
        guard bytes.count > needle.count else { return nil }
        var index = 0
        while index + needle.count <= bytes.count {
            defer { index += 1 }
            guard bytes[index..<(index + needle.count)].elementsEqual(needle) else { continue }
            var cursor = index + needle.count
            func skipSpace() { while cursor < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[cursor]) { cursor += 1 } }
            skipSpace()
            guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: ":") else { continue }
            cursor += 1
            skipSpace()
            guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "\"") else { return nil }
            let start = cursor
            cursor += 1
            while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "\"") {
                cursor += bytes[cursor] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard cursor < bytes.count else { return nil }
            return start..<(cursor + 1)
        }
        return nil
    }
}

extension LLMClassifier.Configuration: CustomStringConvertible {
    public var description: String {
        "Configuration(name: \(name), model: \(model), maxTokens: \(maxTokens), temperature: \(temperature), "
            + "redactsPersonalData: \(redactsPersonalData), maxInputTokens: \(maxInputTokens), streaming: \(streaming), "
            + "logprobs: \(logprobs), timeouts: \(timeouts), retry: \(retry))"
    }
}
