import Foundation
public import NIOCore
import NIOFoundationCompat
public import SwitchyardCore

/// Google's Gemini API (`POST {base_url}/models/{model}:generateContent`, streamed
/// `:streamGenerateContent?alt=sse`): JSON output with `responseMimeType: application/json` and
/// a `responseSchema` in the API's own schema subset (upper-case types, `propertyOrdering`, no
/// `additionalProperties`). Each streamed event is a whole `GenerateContentResponse` carrying
/// the next piece of text; the last one has the candidate's `finishReason`.
public struct GeminiWireFormat: ProviderWireFormat {
    public static let defaultBaseURL = "https://generativelanguage.googleapis.com/v1beta"

    public var apiKey: String?
    private let baseURL: String

    /// - Parameter apiKey: sent as `x-goog-api-key`, never in the URL (where proxies log it).
    public init(baseURL: String = defaultBaseURL, apiKey: String?) {
        self.apiKey = apiKey
        self.baseURL = ProviderURL.trimmed(baseURL)
    }

    /// The classification schema as Gemini's `Schema` object.
    struct Schema: Encodable {
        struct Property: Encodable {
            var type: String
            var description: String?
            var `enum`: [String]?
            var minimum: Double?
            var maximum: Double?
            var items: Item?
            var maxItems: String?
        }
        struct Item: Encodable {
            let type = "STRING"
            let pattern = ClassificationSchema.tagPattern
        }

        let type = "OBJECT"
        var properties: [String: Property]
        let required = ["department", "confidence", "priority", "tags"]
        /// The order the model writes them in: the department first, as in the other schemas.
        let propertyOrdering = ["department", "confidence", "priority", "tags"]

        init(departmentIDs: [String]) {
            properties = [
                "department": Property(
                    type: "STRING", description: "Id of the department that should handle the ticket.", enum: departmentIDs),
                "confidence": Property(
                    type: "NUMBER", description: "Probability from 0 to 1 that the department is right.", minimum: 0, maximum: 1),
                "priority": Property(
                    type: "STRING", description: "How soon the customer needs help.", enum: Priority.allCases.map(\.rawValue)),
                // The API's int64 fields are strings in JSON.
                "tags": Property(
                    type: "ARRAY", description: "Short lower-case keywords describing the request.", items: Item(),
                    maxItems: String(ClassificationSchema.maximumTags)),
            ]
        }
    }

    struct Request: Encodable {
        struct Part: Codable {
            var text: String?
            /// A thinking model's reasoning, which is not the answer.
            var thought: Bool?
        }
        struct Content: Codable {
            var role: String?
            var parts: [Part]?
        }
        struct GenerationConfig: Encodable {
            var temperature: Double
            var maxOutputTokens: Int
            let responseMimeType = "application/json"
            var responseSchema: Schema
            var responseLogprobs: Bool?
        }

        var contents: [Content]
        var systemInstruction: Content?
        var generationConfig: GenerationConfig
    }

    public func request(_ messages: PromptMessages, settings: ModelRequestSettings) throws(ClassificationFailure) -> ProviderRequest {
        let body = Request(
            contents: [.init(role: "user", parts: [.init(text: messages.user)])],
            systemInstruction: messages.system.map { .init(parts: [.init(text: $0)]) },
            generationConfig: .init(
                temperature: settings.temperature, maxOutputTokens: settings.maxTokens,
                responseSchema: Schema(departmentIDs: settings.departmentIDs), responseLogprobs: settings.logprobs ? true : nil))
        let model = PercentEncoding.escapingAllButUnreserved(settings.model)
        let url =
            baseURL + "/models/" + model + (settings.streaming ? ":streamGenerateContent?alt=sse" : ":generateContent")
        var headers: [(name: String, value: String)] = []
        if let apiKey { headers.append(("x-goog-api-key", apiKey)) }
        return ProviderRequest(url: url, headers: headers, body: try ProviderJSON.encode(body))
    }

    struct Response: Decodable {
        struct Candidate: Decodable {
            struct LogprobsResult: Decodable {
                struct Chosen: Decodable {
                    var token: String?
                    var logProbability: Double?
                }
                var chosenCandidates: [Chosen]?
            }
            var content: Request.Content?
            var finishReason: String?
            var logprobsResult: LogprobsResult?
        }
        struct PromptFeedback: Decodable {
            var blockReason: String?
        }
        struct UsageMetadata: Decodable {
            var promptTokenCount: Int?
            var candidatesTokenCount: Int?
            /// A thinking model's reasoning tokens, billed as output.
            var thoughtsTokenCount: Int?
        }
        var candidates: [Candidate]?
        var promptFeedback: PromptFeedback?
        var usageMetadata: UsageMetadata?
        var modelVersion: String?
    }

    /// Finish reasons that mean the model would not answer (safety filters, recitation,
    /// blocked terms), as opposed to `STOP` and `MAX_TOKENS`.
    static func refusal(finishReason: String?) -> String? {
        switch finishReason {
        case nil, "STOP", "MAX_TOKENS", "FINISH_REASON_UNSPECIFIED": nil
        case let reason?: "the answer was stopped: finishReason \(reason)"
        }
    }

    public func reply(from body: ByteBuffer) throws(ClassificationFailure) -> ProviderReply {
        let response = try ProviderJSON.decode(Response.self, from: body, what: "a Gemini GenerateContentResponse")
        if let blocked = response.promptFeedback?.blockReason {
            return ProviderReply(text: "", usage: Self.usage(response.usageMetadata), model: response.modelVersion,
                refusal: "the prompt was blocked: blockReason \(blocked)")
        }
        guard let candidate = response.candidates?.first else {
            throw .invalidOutput("`response.candidates` is empty")
        }
        return ProviderReply(
            text: Self.text(of: candidate), usage: Self.usage(response.usageMetadata), model: response.modelVersion,
            cutOff: candidate.finishReason == "MAX_TOKENS", refusal: Self.refusal(finishReason: candidate.finishReason),
            logprobs: Self.logprobs(of: candidate))
    }

    static func text(of candidate: Response.Candidate) -> String {
        (candidate.content?.parts ?? []).filter { $0.thought != true }.compactMap(\.text).joined()
    }

    static func logprobs(of candidate: Response.Candidate) -> [TokenLogprob]? {
        candidate.logprobsResult?.chosenCandidates?.compactMap { chosen in
            chosen.token.flatMap { token in chosen.logProbability.map { TokenLogprob(token: token, logprob: $0) } }
        }
    }

    static func usage(_ metadata: Response.UsageMetadata?) -> TokenUsage? {
        metadata.map {
            TokenUsage(
                promptTokens: $0.promptTokenCount ?? 0, completionTokens: ($0.candidatesTokenCount ?? 0) + ($0.thoughtsTokenCount ?? 0))
        }
    }

    public func errorMessage(from body: ByteBuffer) -> String? {
        ProviderErrorResponse.summary(of: body)
    }

    public func makeStreamDecoder() -> any ProviderStreamDecoder { StreamDecoder() }

    /// `data: {GenerateContentResponse}` events; the stream is whole once a candidate's
    /// `finishReason` (or a blocked prompt) arrived. There is no `[DONE]`.
    struct StreamDecoder: ProviderStreamDecoder {
        var text = ""
        var usage: TokenUsage?
        var model: String?
        var finishReason: String?
        var blockReason: String?
        var logprobs: [TokenLogprob]?

        mutating func consume(_ event: ServerSentEvent) throws(ClassificationFailure) -> Bool {
            let data = ByteBuffer(string: event.data)
            if event.data.contains("\"error\""), let failure = try? JSONDecoder().decode(ProviderErrorResponse.self, from: data),
                let message = failure.summary
            {
                throw .transport("the stream reported an error: \(ProviderErrorResponse.trimmed(message))")
            }
            let chunk = try ProviderJSON.decode(Response.self, from: data, what: "a Gemini GenerateContentResponse chunk")
            if let reported = GeminiWireFormat.usage(chunk.usageMetadata) { usage = reported }
            if let reported = chunk.modelVersion { model = reported }
            if let blocked = chunk.promptFeedback?.blockReason { blockReason = blocked }
            guard let candidate = chunk.candidates?.first else { return false }
            if let reason = candidate.finishReason { finishReason = reason }
            if let tokens = GeminiWireFormat.logprobs(of: candidate) { logprobs = (logprobs ?? []) + tokens }
            let piece = GeminiWireFormat.text(of: candidate)
            text += piece
            return !piece.isEmpty
        }

        func finish() throws(ClassificationFailure) -> ProviderReply {
            if let blockReason {
                return ProviderReply(text: "", usage: usage, model: model, refusal: "the prompt was blocked: blockReason \(blockReason)")
            }
            guard finishReason != nil else {
                throw .transport("the stream ended before the answer was complete (no finishReason)")
            }
            return ProviderReply(
                text: text, usage: usage, model: model, cutOff: finishReason == "MAX_TOKENS",
                refusal: GeminiWireFormat.refusal(finishReason: finishReason), logprobs: logprobs)
        }
    }
}
