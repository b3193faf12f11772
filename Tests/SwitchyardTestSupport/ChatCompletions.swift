import Foundation

/// Bodies in OpenAI's chat completions wire format, for scripted LLM servers.
public enum ChatCompletions {
    /// A successful `chat.completion` whose message content is `content`.
    public static func completion(content: String, model: String = "gpt-4o-mini", promptTokens: Int = 120, completionTokens: Int = 18) -> String {
        let object: [String: Any] = [
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 1_764_000_000,
            "model": model,
            "choices": [
                [
                    "index": 0,
                    "message": ["role": "assistant", "content": content, "refusal": NSNull()],
                    "logprobs": NSNull(),
                    "finish_reason": "stop",
                ] as [String: Any]
            ],
            "usage": [
                "prompt_tokens": promptTokens, "completion_tokens": completionTokens,
                "total_tokens": promptTokens + completionTokens,
            ],
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// The structured answer a classifier asks for.
    public static func classification(department: String, confidence: Double, priority: String = "normal", tags: [String] = []) -> String {
        let object: [String: Any] = ["department": department, "confidence": confidence, "priority": priority, "tags": tags]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return completion(content: String(decoding: data, as: UTF8.self))
    }

    /// OpenAI's error body.
    public static func error(message: String, type: String, code: String?) -> String {
        let detail: [String: Any] = ["message": message, "type": type, "param": NSNull(), "code": code.map { $0 as Any } ?? NSNull()]
        let object: [String: Any] = ["error": detail]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
