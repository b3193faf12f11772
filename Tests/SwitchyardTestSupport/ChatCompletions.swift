import Foundation

/// Bodies in OpenAI's chat completions wire format, for the test doubles that stand for LLM
/// servers (`ScriptedHTTPServer` handlers and the models tests' `FakeChatCompletionsServer`).
/// Shaped like OpenAI's documented answers, fields the classifier ignores included.
public enum ChatCompletions {
    /// A successful `chat.completion` whose message content is `content`.
    public static func completion(
        content: String, model: String = "gpt-4o-mini", promptTokens: Int = 120, completionTokens: Int = 18
    ) -> String {
        body(
            message: ["role": "assistant", "content": content, "refusal": NSNull()],
            model: model, promptTokens: promptTokens, completionTokens: completionTokens)
    }

    /// A `chat.completion` whose message is a refusal (structured outputs' `refusal` field).
    public static func refusal(_ text: String, model: String = "gpt-4o-mini", promptTokens: Int = 300, completionTokens: Int = 8) -> String {
        body(
            message: ["role": "assistant", "content": NSNull(), "refusal": text],
            model: model, promptTokens: promptTokens, completionTokens: completionTokens)
    }

    /// The structured answer a classifier asks for.
    public static func classification(department: String, confidence: Double, priority: String = "normal", tags: [String] = []) -> String {
        let object: [String: Any] = ["department": department, "confidence": confidence, "priority": priority, "tags": tags]
        return completion(content: text(object))
    }

    /// OpenAI's error body.
    public static func error(message: String, type: String, code: String?) -> String {
        text(["error": ["message": message, "type": type, "param": NSNull(), "code": code.map { $0 as Any } ?? NSNull()]])
    }

    private static func body(message: [String: Any], model: String, promptTokens: Int, completionTokens: Int) -> String {
        text([
            "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
            "object": "chat.completion",
            "created": 1_741_570_283,
            "model": model,
            "choices": [["index": 0, "message": message, "logprobs": NSNull(), "finish_reason": "stop"]],
            "usage": [
                "prompt_tokens": promptTokens,
                "completion_tokens": completionTokens,
                "total_tokens": promptTokens + completionTokens,
                "prompt_tokens_details": ["cached_tokens": 0, "audio_tokens": 0],
            ],
            "service_tier": "default",
            "system_fingerprint": "fp_06737a9306",
        ])
    }

    private static func text(_ object: [String: Any]) -> String {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
