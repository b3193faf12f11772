import SwitchyardCore

/// The parts of a `chat.completion` object that a classification needs.
struct ChatCompletionResponse: Decodable, Sendable {
    struct Choice: Decodable, Sendable {
        var message: Message
        var finishReason: String?

        enum CodingKeys: String, CodingKey {
            case message
            case finishReason = "finish_reason"
        }
    }

    struct Message: Decodable, Sendable {
        var content: String?
        var refusal: String?
    }

    var choices: [Choice]
    var usage: TokenUsage?
    /// The model that answered, as the server names it (often more precise than the one asked for).
    var model: String?
}
