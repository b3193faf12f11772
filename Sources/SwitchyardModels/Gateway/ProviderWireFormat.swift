public import NIOCore
public import SwitchyardCore

/// The instructions and the ticket as the prompt template rendered them.
public struct PromptMessages: Sendable, Hashable {
    /// The instructions (departments, output rules); nil when the template has no system part.
    public var system: String?
    /// The ticket, delimited and marked as data.
    public var user: String

    public init(system: String?, user: String) {
        self.system = system
        self.user = user
    }
}

/// What a provider is asked besides the messages.
public struct ModelRequestSettings: Sendable, Hashable {
    public var model: String
    /// Always sent: a small model that loops must stop.
    public var maxTokens: Int
    public var temperature: Double
    /// The configured department ids: the schema's `department` enum.
    public var departmentIDs: [String]
    /// Ask for a streamed answer (server-sent events).
    public var streaming: Bool
    /// Ask for the answer's token log-probabilities, where the provider returns them.
    public var logprobs: Bool

    public init(model: String, maxTokens: Int, temperature: Double, departmentIDs: [String], streaming: Bool, logprobs: Bool) {
        self.model = model
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.departmentIDs = departmentIDs
        self.streaming = streaming
        self.logprobs = logprobs
    }
}

/// One HTTP request to a provider: always a `POST` of a JSON body.
public struct ProviderRequest: Sendable {
    public var url: String
    /// Credentials and version headers; `Content-Type` and `Accept` are the transport's.
    public var headers: [(name: String, value: String)]
    public var body: ByteBuffer

    public init(url: String, headers: [(name: String, value: String)], body: ByteBuffer) {
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// One token of the answer with its log-probability, for confidence.
public struct TokenLogprob: Sendable, Hashable {
    public var token: String
    public var logprob: Double

    public init(token: String, logprob: Double) {
        self.token = token
        self.logprob = logprob
    }
}

/// What a provider answered, in no provider's shape: the answer's JSON text and its metadata.
public struct ProviderReply: Sendable, Hashable {
    /// The JSON object the model wrote (a message's content, a tool call's input).
    public var text: String
    public var usage: TokenUsage?
    /// The model as the provider names it (often more precise than the one asked for).
    public var model: String?
    /// The model stopped at `max_tokens`: an answer that does not parse was cut off.
    public var cutOff: Bool
    /// The model declined to answer, in its words.
    public var refusal: String?
    /// The answer's tokens with their log-probabilities, when the provider returned them.
    public var logprobs: [TokenLogprob]?

    public init(
        text: String, usage: TokenUsage? = nil, model: String? = nil, cutOff: Bool = false, refusal: String? = nil,
        logprobs: [TokenLogprob]? = nil
    ) {
        self.text = text
        self.usage = usage
        self.model = model
        self.cutOff = cutOff
        self.refusal = refusal
        self.logprobs = logprobs
    }
}

/// A provider kind's wire format: how a classification request is written and how its answer,
/// whole or streamed, and its errors are read. Everything else (connections, timeouts,
/// retries, `Retry-After`, streaming, deadlines) is ``ProviderTransport``'s, the same for all.
public protocol ProviderWireFormat: Sendable {
    /// The request for `messages`.
    func request(_ messages: PromptMessages, settings: ModelRequestSettings) throws(ClassificationFailure) -> ProviderRequest
    /// Reads a whole (not streamed) `2xx` answer.
    func reply(from body: ByteBuffer) throws(ClassificationFailure) -> ProviderReply
    /// The useful part of an error answer's body (`message (code)`), or nil.
    func errorMessage(from body: ByteBuffer) -> String?
    /// A fresh reader for one streamed answer.
    func makeStreamDecoder() -> any ProviderStreamDecoder
}

/// Reads one streamed answer event by event.
public protocol ProviderStreamDecoder: Sendable {
    /// Takes one event; returns whether it carried answer text (the first that does is the
    /// first token). An error event is thrown as the failure it reports.
    mutating func consume(_ event: ServerSentEvent) throws(ClassificationFailure) -> Bool
    /// The answer, once the body ended. A stream that ended before the provider's final
    /// event is a failure (`transport`: a cut stream is not an answer).
    func finish() throws(ClassificationFailure) -> ProviderReply
}

extension ChatCompletionsWireFormat: CustomStringConvertible {
    /// Everything but the API key, which shows only whether it is set.
    public var description: String {
        "ChatCompletionsWireFormat(dialect: \(dialect.rawValue), systemMessage: \(systemMessage), "
            + "apiKey: \(apiKey == nil ? "none" : "<redacted>"))"
    }
}

extension AnthropicMessagesWireFormat: CustomStringConvertible {
    public var description: String {
        "AnthropicMessagesWireFormat(version: \(version), apiKey: \(apiKey == nil ? "none" : "<redacted>"))"
    }
}

extension GeminiWireFormat: CustomStringConvertible {
    public var description: String { "GeminiWireFormat(apiKey: \(apiKey == nil ? "none" : "<redacted>"))" }
}
