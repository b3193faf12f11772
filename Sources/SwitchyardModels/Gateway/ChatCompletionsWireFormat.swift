import Foundation
public import NIOCore
import NIOFoundationCompat
public import SwitchyardCore

/// OpenAI's chat completions (`POST {base_url}/chat/completions`) as OpenAI, Azure OpenAI,
/// Ollama, llama.cpp, llama-cpp-python, vLLM, OpenRouter and others speak it; the
/// ``StructuredOutputDialect`` says how each is asked for the schema.
public struct ChatCompletionsWireFormat: ProviderWireFormat {
    /// Azure OpenAI's generally available API version this is written against.
    public static let defaultAPIVersion = "2024-10-21"

    public var dialect: StructuredOutputDialect
    public var apiKey: String?
    /// Whether the instructions go in a system message; otherwise they open the user message.
    public var systemMessage: Bool
    private let endpoint: String
    /// The request's JSON around its messages, for the last settings asked.
    private let template = KeptForLastKey<ModelRequestSettings, RequestParts>()

    /// - Parameters:
    ///   - baseURL: for example `https://api.openai.com/v1`; for Azure the deployment's URL,
    ///     `https://RESOURCE.openai.azure.com/openai/deployments/DEPLOYMENT`.
    ///   - apiKey: sent as `Authorization: Bearer …` (Azure: as `api-key`).
    ///   - apiVersion: Azure OpenAI's `api-version` query parameter.
    public init(baseURL: String, apiKey: String?, dialect: StructuredOutputDialect, systemMessage: Bool? = nil, apiVersion: String) {
        self.dialect = dialect
        self.apiKey = apiKey
        self.systemMessage = systemMessage ?? dialect.sendsSystemMessage
        self.endpoint =
            ProviderURL.trimmed(baseURL) + "/chat/completions"
            + (dialect == .azure ? "?api-version=" + PercentEncoding.escapingAllButUnreserved(apiVersion) : "")
    }

    public func request(_ messages: PromptMessages, settings: ModelRequestSettings) throws(ClassificationFailure) -> ProviderRequest {
        var chat: [ChatCompletionRequest.Message] = []
        switch messages.system {
        case let system? where systemMessage:
            chat.append(.init(role: "system", content: system))
            chat.append(.init(role: "user", content: messages.user))
        case let system?:
            // A chat format without a system role would drop the instructions: they open the
            // user message instead, before the ticket.
            chat.append(.init(role: "user", content: system + "\n\n" + messages.user))
        case nil:
            chat.append(.init(role: "user", content: messages.user))
        }
        var headers: [(name: String, value: String)] = []
        if let apiKey {
            headers.append(dialect == .azure ? ("api-key", apiKey) : ("Authorization", "Bearer \(apiKey)"))
        }
        return ProviderRequest(url: endpoint, headers: headers, body: try body(chat, settings: settings))
    }

    /// The request's JSON: everything but the messages (the model, the bounds and the schema in
    /// the dialect's shape, the same for every ticket) is encoded once per settings and kept;
    /// each call writes only its messages between the kept parts.
    private func body(_ messages: [ChatCompletionRequest.Message], settings: ModelRequestSettings) throws(ClassificationFailure)
        -> ByteBuffer
    {
        let parts = try template.value(for: settings) { () throws(ClassificationFailure) in
            let empty = ChatCompletionRequest(
                model: settings.model, messages: [], temperature: settings.temperature, maxTokens: settings.maxTokens,
                dialect: dialect, schema: ClassificationSchema(departmentIDs: settings.departmentIDs), stream: settings.streaming,
                logprobs: settings.logprobs)
            return try RequestParts(splitting: Array(try ProviderJSON.encode(empty).readableBytesView))
        }
        var writer = JSONTextWriter(capacity: parts.prefix.count + parts.suffix.count + messages.reduce(64) { $0 + $1.content.utf8.count + 32 })
        writer.raw(json: parts.prefix)
        writer.beginArray()
        for message in messages {
            writer.element()
            writer.beginObject()
            writer.member("content")
            writer.string(message.content)
            writer.member("role")
            writer.string(message.role)
            writer.endObject()
        }
        writer.endArray()
        writer.raw(json: parts.suffix)
        return ByteBuffer(bytes: writer.bytes)
    }

    public func reply(from body: ByteBuffer) throws(ClassificationFailure) -> ProviderReply {
        let completion = try ProviderJSON.decode(ChatCompletionResponse.self, from: body, what: "a chat completion")
        guard let choice = completion.choices.first else {
            throw .invalidOutput("`response.choices` is empty")
        }
        return ProviderReply(
            text: choice.message?.content ?? "", usage: completion.usage, model: completion.model,
            cutOff: choice.finishReason == "length", refusal: choice.message?.refusal,
            logprobs: choice.logprobs?.content?.map { TokenLogprob(token: $0.token, logprob: $0.logprob) })
    }

    public func errorMessage(from body: ByteBuffer) -> String? {
        ProviderErrorResponse.summary(of: body)
    }

    public func makeStreamDecoder() -> any ProviderStreamDecoder { StreamDecoder() }

    /// `data: {chat.completion.chunk}` events, then `data: [DONE]`; with
    /// `stream_options.include_usage` a last chunk with no choices carries the usage.
    struct StreamDecoder: ProviderStreamDecoder {
        var text = ""
        var refusal = ""
        var usage: TokenUsage?
        var model: String?
        var finishReason: String?
        var done = false
        var logprobs: [TokenLogprob] = []
        var sawLogprobs = false

        mutating func consume(_ event: ServerSentEvent) throws(ClassificationFailure) -> Bool {
            if event.data == "[DONE]" {
                done = true
                return false
            }
            let data = ByteBuffer(string: event.data)
            if event.data.contains("\"error\""), let failure = try? JSONDecoder().decode(ChatCompletionStreamError.self, from: data) {
                let message = ProviderErrorResponse(error: failure.error).summary ?? "error event"
                throw .transport("the stream reported an error: \(ProviderErrorResponse.trimmed(message))")
            }
            let chunk = try ProviderJSON.decode(ChatCompletionResponse.self, from: data, what: "a chat completion chunk")
            if let reported = chunk.usage { usage = reported }
            if let reported = chunk.model { model = reported }
            var carried = false
            for choice in chunk.choices.prefix(1) {
                if let content = choice.delta?.content, !content.isEmpty {
                    text += content
                    carried = true
                }
                if let part = choice.delta?.refusal { refusal += part }
                if let reason = choice.finishReason { finishReason = reason }
                if let tokens = choice.logprobs?.content {
                    sawLogprobs = true
                    logprobs += tokens.map { TokenLogprob(token: $0.token, logprob: $0.logprob) }
                }
            }
            return carried
        }

        func finish() throws(ClassificationFailure) -> ProviderReply {
            guard finishReason != nil || done else {
                throw .transport("the stream ended before the answer was complete (no finish_reason, no [DONE])")
            }
            return ProviderReply(
                text: text, usage: usage, model: model, cutOff: finishReason == "length", refusal: refusal.isEmpty ? nil : refusal,
                logprobs: sawLogprobs ? logprobs : nil)
        }
    }
}

/// A chat completion request's JSON without its messages: the bytes before and after the
/// messages' array.
private struct RequestParts: Sendable {
    var prefix: [UInt8]
    var suffix: [UInt8]

    /// Splits `json`, a request encoded with an empty `messages` array, around that array.
    init(splitting json: [UInt8]) throws(ClassificationFailure) {
        // Keys are sorted and only the top level has `messages`: its first occurrence is it.
        let marker = Array(#""messages":[]"#.utf8)
        guard let start = json.indices.first(where: { json[$0...].starts(with: marker) }) else {
            throw .unavailable("cannot encode the request: no messages member")
        }
        let arrayStart = start + marker.count - 2
        prefix = Array(json[..<arrayStart])
        suffix = Array(json[(arrayStart + 2)...])
    }
}

/// The JSON coding every wire format shares: requests with sorted keys and unescaped
/// slashes, answers read with an explanation of what did not fit.
enum ProviderJSON {
    static func encode(_ value: some Encodable) throws(ClassificationFailure) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encodeAsByteBuffer(value, allocator: ByteBufferAllocator())
        } catch {
            throw .unavailable("cannot encode the request: \(error)")
        }
    }

    /// Reads `type` from `body`; `what` names it in the failure ("not a chat completion: …").
    static func decode<T: Decodable>(_ type: T.Type, from body: ByteBuffer, what: String) throws(ClassificationFailure) -> T {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch let error as DecodingError {
            throw .invalidOutput("not \(what): \(error.explanation(root: "response"))")
        } catch {
            throw .invalidOutput("not \(what): \(error)")
        }
    }
}

/// A configured base URL without its trailing slashes, so that paths join with one.
enum ProviderURL {
    static func trimmed(_ baseURL: String) -> String {
        var url = Substring(baseURL)
        while url.hasSuffix("/") { url = url.dropLast() }
        return String(url)
    }
}
