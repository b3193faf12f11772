public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
public import SwitchyardCore

/// Anthropic's Message Batches API: the requests go inline (`POST /messages/batches`,
/// `{"requests": [{"custom_id", "params"}]}`), the batch is followed
/// (`GET /messages/batches/{id}`, `processing_status` `in_progress`, `canceling`, `ended`)
/// and its results read from its `results_url` as JSON Lines; `POST …/cancel` stops it and
/// `DELETE /messages/batches/{id}` removes an ended one with its results.
public struct AnthropicBatchAPI: ProviderBatchAPI {
    private let baseURL: String
    private let http: ProviderHTTP

    /// - Parameters:
    ///   - baseURL: for example `https://api.anthropic.com/v1`.
    ///   - version: the `anthropic-version` header.
    public init(
        baseURL: String = AnthropicMessagesWireFormat.defaultBaseURL, apiKey: String?,
        version: String = AnthropicMessagesWireFormat.defaultVersion, httpClient: HTTPClient, timeout: Duration = .seconds(60)
    ) {
        self.baseURL = ProviderURL.trimmed(baseURL)
        self.http = ProviderHTTP(
            client: httpClient, headers: [("anthropic-version", version)] + (apiKey.map { [("x-api-key", $0)] } ?? []),
            timeout: timeout)
    }

    /// The parts of Anthropic's `message_batch` object read here.
    struct Batch: Decodable {
        var id: String
        var processingStatus: String
        var resultsURL: String?

        enum CodingKeys: String, CodingKey {
            case id
            case processingStatus = "processing_status"
            case resultsURL = "results_url"
        }
    }

    private func batchURL(_ id: String) -> String {
        baseURL + "/messages/batches/" + PercentEncoding.escapingAllButUnreserved(id)
    }

    public func create(_ entries: [BatchEntry]) async throws(ClassificationFailure) -> BatchHandle {
        var body = JSONTextWriter(capacity: entries.reduce(32) { $0 + $1.request.body.readableBytes + 64 })
        body.beginObject()
        body.member("requests")
        body.beginArray()
        for entry in entries {
            body.element()
            body.beginObject()
            body.member("custom_id")
            body.string(entry.customID)
            body.member("params")
            body.raw(json: entry.request.body.readableBytesView)
            body.endObject()
        }
        body.endArray()
        body.endObject()
        let created = try await http.send(.POST, baseURL + "/messages/batches", body: ByteBuffer(bytes: body.bytes))
        return BatchHandle(id: try ProviderJSON.decode(Batch.self, from: created, what: "a message batch").id)
    }

    public func progress(of batch: BatchHandle) async throws(ClassificationFailure) -> BatchProgress {
        let state = try ProviderJSON.decode(Batch.self, from: try await http.send(.GET, batchURL(batch.id)), what: "a message batch")
        switch state.processingStatus {
        case "in_progress", "canceling":
            return .running
        case "ended":
            guard let results = state.resultsURL else { return .ended(results: [], status: "ended") }
            // The results go out with the API key: only to where the batches API itself is.
            guard Self.origin(of: results) == Self.origin(of: baseURL) else {
                throw .invalidOutput("the batch's results_url is not on \(Self.origin(of: baseURL) ?? baseURL)")
            }
            return .ended(results: [results], status: "ended")
        default:
            throw .invalidOutput("the batch's processing_status \"\(state.processingStatus.prefix(40))\" is not one of Anthropic's")
        }
    }

    /// `scheme://host:port` of `url`.
    static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return nil }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }

    public func results(at results: [String], count: Int) async throws(ClassificationFailure) -> [String: BatchEntryResult] {
        var answers: [String: BatchEntryResult] = [:]
        for url in results {
            let body = try await http.send(.GET, url, upTo: ProviderHTTP.resultLimit(count: count))
            for line in try BatchResultLines.objects(in: body) {
                guard case .string(let customID)? = line["custom_id"] else { continue }
                answers[customID] = Self.result(of: line)
            }
        }
        return answers
    }

    /// One results line: `{"custom_id", "result": {"type": "succeeded", "message"}}`, or
    /// `errored` with `{"error": {"type": "error", "error": {"type", "message"}}}`,
    /// `canceled`, `expired`.
    static func result(of line: [String: JSONValue]) -> BatchEntryResult {
        guard case .object(let result)? = line["result"], case .string(let type)? = result["type"] else {
            return .failed(.invalidOutput("a batch result has no result type"), status: nil)
        }
        switch type {
        case "succeeded":
            guard let message = result["message"] else { return .failed(.invalidOutput("a succeeded batch result has no message"), status: nil) }
            return .answered(BatchResultLines.body(message))
        case "errored":
            var error = result["error"]
            // The error response, whose own `error` says what went wrong.
            if case .object(let response)? = error, let inner = response["error"] { error = inner }
            return .failed(.unavailable("the batch could not run the request: \(BatchResultLines.message(error))"), status: nil)
        case "canceled":
            return .failed(.unavailable("the request was canceled with its batch before it ran"), status: nil)
        case "expired":
            return .failed(.unavailable("the request expired in its batch before it ran"), status: nil)
        default:
            return .failed(.invalidOutput("the batch result type \"\(type.prefix(40))\" is not one of Anthropic's"), status: nil)
        }
    }

    public func cancel(_ batch: BatchHandle) async throws(ClassificationFailure) {
        _ = try await http.send(.POST, batchURL(batch.id) + "/cancel")
    }

    public func discard(_ batch: BatchHandle, results: [String]) async throws(ClassificationFailure) {
        _ = try await http.send(.DELETE, batchURL(batch.id))
    }
}
