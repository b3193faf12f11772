import SwitchyardCore

/// The parts of a `chat.completion` object (or of one `chat.completion.chunk` of a stream)
/// that a classification needs.
struct ChatCompletionResponse: Decodable, Sendable {
    struct Choice: Decodable, Sendable {
        /// The whole message; a stream's chunks carry a `delta` instead.
        var message: Message?
        var delta: Message?
        var finishReason: String?
        var logprobs: Logprobs?

        enum CodingKeys: String, CodingKey {
            case message, delta, logprobs
            case finishReason = "finish_reason"
        }
    }

    struct Message: Decodable, Sendable {
        var content: String?
        var refusal: String?
    }

    struct Logprobs: Decodable, Sendable {
        struct Token: Decodable, Sendable {
            var token: String
            var logprob: Double
        }
        var content: [Token]?
    }

    var choices: [Choice]
    var usage: TokenUsage?
    /// The model that answered, as the server names it (often more precise than the one asked for).
    var model: String?
}

/// An error a stream reports in place of a chunk: `data: {"error": {...}}`.
struct ChatCompletionStreamError: Decodable, Sendable {
    var error: ProviderErrorResponse.Detail
}
