import Foundation
import NIOCore
import NIOFoundationCompat

/// A provider's error body: OpenAI's `{"error": {"message", "type", "param", "code"}}`,
/// Anthropic's `{"type": "error", "error": {"type", "message"}}` and Google's
/// `{"error": {"code": 429, "message", "status": "RESOURCE_EXHAUSTED"}}`.
struct ProviderErrorResponse: Decodable, Sendable {
    struct Detail: Decodable, Sendable {
        var message: String?
        var type: String?
        var code: String?
        /// Google's canonical status name, more telling than its numeric `code`.
        var status: String?

        enum CodingKeys: String, CodingKey {
            case message, type, code, status
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            message = try? container.decodeIfPresent(String.self, forKey: .message)
            type = try? container.decodeIfPresent(String.self, forKey: .type)
            status = try? container.decodeIfPresent(String.self, forKey: .status)
            // Some compatible servers send a number here.
            code =
                (try? container.decodeIfPresent(String.self, forKey: .code))
                ?? (try? container.decodeIfPresent(Int.self, forKey: .code)).flatMap { $0.map(String.init) }
        }
    }

    var error: Detail

    /// The summary of an error body in any provider's shape, or nil.
    static func summary(of body: ByteBuffer) -> String? {
        (try? JSONDecoder().decode(ProviderErrorResponse.self, from: body))?.summary
    }

    /// `message (code)`, or nil when the body said nothing useful.
    var summary: String? {
        let code = error.status ?? error.code ?? error.type
        guard let message = error.message, !message.isEmpty else { return code }
        if let code { return "\(message) (\(code))" }
        return message
    }

    /// The part of a provider's error text an operator needs: its first line, server file
    /// paths (a Python traceback's `/usr/lib/python3/…/app.py`) cut out, at most 200
    /// characters. The whole text is never stored in a decision.
    static func trimmed(_ text: String) -> String {
        let firstLine = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        var words: [Substring] = []
        for word in firstLine.split(separator: " ", omittingEmptySubsequences: true) {
            let bare = word.trimmingCharacters(in: CharacterSet(charactersIn: "\"'(),:;[]<>"))
            let isPath = bare.hasPrefix("/") && bare.dropFirst().contains("/") || bare.contains(":\\") || bare.hasPrefix("file://")
            words.append(isPath ? "…" : word)
        }
        let joined = words.joined(separator: " ")
        return joined.count > 200 ? String(joined.prefix(199)) + "…" : joined
    }
}
