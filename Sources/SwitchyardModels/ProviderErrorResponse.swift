/// OpenAI's error body: `{"error": {"message", "type", "param", "code"}}`.
struct ProviderErrorResponse: Decodable, Sendable {
    struct Detail: Decodable, Sendable {
        var message: String?
        var type: String?
        var code: String?

        enum CodingKeys: String, CodingKey {
            case message, type, code
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            message = try? container.decodeIfPresent(String.self, forKey: .message)
            type = try? container.decodeIfPresent(String.self, forKey: .type)
            // Some compatible servers send a number here.
            code =
                (try? container.decodeIfPresent(String.self, forKey: .code))
                ?? (try? container.decodeIfPresent(Int.self, forKey: .code)).flatMap { $0.map(String.init) }
        }
    }

    var error: Detail

    /// `message (code)`, or nil when the body said nothing useful.
    var summary: String? {
        guard let message = error.message, !message.isEmpty else { return error.code ?? error.type }
        if let code = error.code ?? error.type { return "\(message) (\(code))" }
        return message
    }
}
