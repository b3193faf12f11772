import Foundation
public import NIOCore
import NIOFoundationCompat
public import SwitchyardCore

/// Anthropic's Messages API (`POST {base_url}/messages`): the classification is a forced
/// call of one tool whose `input_schema` is the classification schema, so the answer is the
/// tool call's `input`. Streamed, the input arrives as `input_json_delta` fragments and the
/// stream ends with `message_stop`.
public struct AnthropicMessagesWireFormat: ProviderWireFormat {
    /// The API version this is written against (`anthropic-version`).
    public static let defaultVersion = "2023-06-01"
    public static let defaultBaseURL = "https://api.anthropic.com/v1"
    /// The tool the model is made to call.
    static let toolName = "classify_ticket"

    public var apiKey: String?
    public var version: String
    private let endpoint: String

    public init(baseURL: String = defaultBaseURL, apiKey: String?, version: String = defaultVersion) {
        self.apiKey = apiKey
        self.version = version
        self.endpoint = ProviderURL.trimmed(baseURL) + "/messages"
    }

    struct Request: Encodable {
        struct Message: Encodable {
            let role = "user"
            var content: String
        }
        struct Tool: Encodable {
            let name = AnthropicMessagesWireFormat.toolName
            let description = "Record the classification of the support ticket."
            var inputSchema: ClassificationSchema

            enum CodingKeys: String, CodingKey {
                case name, description
                case inputSchema = "input_schema"
            }
        }
        struct ToolChoice: Encodable {
            let type = "tool"
            let name = AnthropicMessagesWireFormat.toolName
        }

        var model: String
        var maxTokens: Int
        var temperature: Double
        var system: String?
        var messages: [Message]
        var tools: [Tool]
        let toolChoice = ToolChoice()
        var stream: Bool?

        enum CodingKeys: String, CodingKey {
            case model, temperature, system, messages, tools, stream
            case maxTokens = "max_tokens"
            case toolChoice = "tool_choice"
        }
    }

    public func request(_ messages: PromptMessages, settings: ModelRequestSettings) throws(ClassificationFailure) -> ProviderRequest {
        let body = Request(
            model: settings.model, maxTokens: settings.maxTokens, temperature: settings.temperature, system: messages.system,
            messages: [.init(content: messages.user)],
            tools: [.init(inputSchema: ClassificationSchema(departmentIDs: settings.departmentIDs))],
            stream: settings.streaming ? true : nil)
        var headers: [(name: String, value: String)] = [("anthropic-version", version)]
        if let apiKey { headers.append(("x-api-key", apiKey)) }
        return ProviderRequest(url: endpoint, headers: headers, body: try ProviderJSON.encode(body))
    }

    struct Usage: Decodable {
        var inputTokens: Int?
        var outputTokens: Int?

        enum CodingKeys: String, CodingKey {
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
        }
    }

    struct Message: Decodable {
        struct Block: Decodable {
            var type: String
            var name: String?
            var text: String?
        }
        var model: String?
        var content: [Block]?
        var stopReason: String?
        var usage: Usage?

        enum CodingKeys: String, CodingKey {
            case model, content, usage
            case stopReason = "stop_reason"
        }
    }

    public func reply(from body: ByteBuffer) throws(ClassificationFailure) -> ProviderReply {
        let message = try ProviderJSON.decode(Message.self, from: body, what: "a Messages API message")
        let blocks = message.content ?? []
        let usage = message.usage.map { TokenUsage(promptTokens: $0.inputTokens ?? 0, completionTokens: $0.outputTokens ?? 0) }
        guard let index = blocks.firstIndex(where: { $0.type == "tool_use" && $0.name == Self.toolName }) else {
            let text = blocks.compactMap(\.text).joined()
            if message.stopReason == "refusal" || !text.isEmpty {
                throw .invalidOutput("the model did not call \(Self.toolName)" + (text.isEmpty ? "" : ": \(text.prefix(200))"))
            }
            throw .invalidOutput("`response.content` has no \(Self.toolName) tool call")
        }
        // The tool input is an object of any shape: read it as JSON, hand it on as its text.
        guard case .object(let root)? = try? JSONValue.parse(Array(body.readableBytesView)),
            case .array(let content)? = root["content"], case .object(let block) = content[index], let input = block["input"]
        else { throw .invalidOutput("`response.content[\(index)].input` is missing") }
        return ProviderReply(
            text: String(decoding: input.serialized, as: UTF8.self), usage: usage, model: message.model,
            cutOff: message.stopReason == "max_tokens")
    }

    public func errorMessage(from body: ByteBuffer) -> String? {
        ProviderErrorResponse.summary(of: body)
    }

    public func makeStreamDecoder() -> any ProviderStreamDecoder { StreamDecoder() }

    /// `message_start`, `content_block_start` / `_delta` / `_stop`, `message_delta` (stop
    /// reason, output tokens), `message_stop`; `ping` keep-alives; `error` events.
    struct StreamDecoder: ProviderStreamDecoder {
        struct Event: Decodable {
            struct Delta: Decodable {
                var type: String?
                var partialJSON: String?
                var text: String?
                var stopReason: String?

                enum CodingKeys: String, CodingKey {
                    case type, text
                    case partialJSON = "partial_json"
                    case stopReason = "stop_reason"
                }
            }
            var type: String
            var index: Int?
            var message: Message?
            var contentBlock: Message.Block?
            var delta: Delta?
            var usage: Usage?
            var error: ProviderErrorResponse.Detail?

            enum CodingKeys: String, CodingKey {
                case type, index, message, delta, usage, error
                case contentBlock = "content_block"
            }
        }

        var toolIndex: Int?
        var input = ""
        var text = ""
        var model: String?
        var inputTokens = 0
        var outputTokens = 0
        var stopReason: String?
        var stopped = false

        mutating func consume(_ event: ServerSentEvent) throws(ClassificationFailure) -> Bool {
            guard event.name != "ping" else { return false }
            let decoded = try ProviderJSON.decode(Event.self, from: ByteBuffer(string: event.data), what: "a Messages API event")
            switch decoded.type {
            case "message_start":
                model = decoded.message?.model
                inputTokens = decoded.message?.usage?.inputTokens ?? 0
                outputTokens = decoded.message?.usage?.outputTokens ?? 0
            case "content_block_start":
                if decoded.contentBlock?.type == "tool_use", decoded.contentBlock?.name == AnthropicMessagesWireFormat.toolName {
                    toolIndex = decoded.index
                }
            case "content_block_delta":
                if let fragment = decoded.delta?.partialJSON, decoded.index == toolIndex, !fragment.isEmpty {
                    input += fragment
                    return true
                }
                if let fragment = decoded.delta?.text { text += fragment }
            case "message_delta":
                if let reason = decoded.delta?.stopReason { stopReason = reason }
                if let tokens = decoded.usage?.outputTokens { outputTokens = tokens }
                if let tokens = decoded.usage?.inputTokens { inputTokens = tokens }
            case "message_stop":
                stopped = true
            case "error":
                let message = decoded.error.map { ProviderErrorResponse(error: $0).summary ?? "error event" } ?? "error event"
                throw .transport("the stream reported an error: \(ProviderErrorResponse.trimmed(message))")
            default:
                break
            }
            return false
        }

        func finish() throws(ClassificationFailure) -> ProviderReply {
            guard stopped else { throw .transport("the stream ended before the answer was complete (no message_stop)") }
            guard toolIndex != nil else {
                throw .invalidOutput(
                    "the model did not call \(AnthropicMessagesWireFormat.toolName)" + (text.isEmpty ? "" : ": \(text.prefix(200))"))
            }
            return ProviderReply(
                text: input.isEmpty ? "{}" : input, usage: TokenUsage(promptTokens: inputTokens, completionTokens: outputTokens),
                model: model, cutOff: stopReason == "max_tokens")
        }
    }
}
