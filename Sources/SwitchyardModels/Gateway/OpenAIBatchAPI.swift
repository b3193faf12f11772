public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
public import SwitchyardCore

/// OpenAI's Batch API for chat completions: the requests are uploaded as a JSON Lines file
/// (`POST /files`, purpose `batch`), the batch is created on it (`POST /batches`, endpoint
/// `/v1/chat/completions`, completion window `24h`, the only one offered), followed
/// (`GET /batches/{id}`) and read from its output and error files
/// (`GET /files/{id}/content`); `POST /batches/{id}/cancel` stops it and the files are
/// deleted once read (`DELETE /files/{id}`).
public struct OpenAIBatchAPI: ProviderBatchAPI {
    /// The endpoint every line of the input file names.
    static let endpoint = "/v1/chat/completions"

    private let baseURL: String
    private let http: ProviderHTTP

    /// - Parameters:
    ///   - baseURL: for example `https://api.openai.com/v1`.
    ///   - timeout: each HTTP call (an upload of thousands of tickets takes a while).
    public init(baseURL: String, apiKey: String?, httpClient: HTTPClient, timeout: Duration = .seconds(60)) {
        self.baseURL = ProviderURL.trimmed(baseURL)
        self.http = ProviderHTTP(
            client: httpClient, headers: apiKey.map { [("Authorization", "Bearer \($0)")] } ?? [], timeout: timeout)
    }

    struct UploadedFile: Decodable {
        var id: String
    }

    /// The parts of OpenAI's batch object read here.
    struct Batch: Decodable {
        struct Errors: Decodable {
            struct Item: Decodable {
                var code: String?
                var message: String?
                var line: Int?
            }
            var data: [Item]?
        }
        var id: String
        var status: String
        var outputFileID: String?
        var errorFileID: String?
        var errors: Errors?

        enum CodingKeys: String, CodingKey {
            case id, status, errors
            case outputFileID = "output_file_id"
            case errorFileID = "error_file_id"
        }
    }

    public func create(_ entries: [BatchEntry]) async throws(ClassificationFailure) -> BatchHandle {
        let boundary = "switchyard-" + Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255) })
        let upload = try await http.send(
            .POST, baseURL + "/files", body: Self.multipart(Self.inputFile(entries), boundary: boundary),
            contentType: "multipart/form-data; boundary=\(boundary)")
        let file = try ProviderJSON.decode(UploadedFile.self, from: upload, what: "an uploaded file")
        var request = JSONTextWriter()
        request.beginObject()
        request.member("completion_window")
        request.string("24h")
        request.member("endpoint")
        request.string(Self.endpoint)
        request.member("input_file_id")
        request.string(file.id)
        request.member("metadata")
        request.object(["source": "switchyard"])
        request.endObject()
        let created: ByteBuffer
        do {
            created = try await http.send(.POST, baseURL + "/batches", body: ByteBuffer(bytes: request.bytes))
        } catch {
            // The uploaded tickets are not left behind for a batch that does not exist.
            try? await discard(BatchHandle(id: "", files: [file.id]), results: [])
            throw error
        }
        let batch = try ProviderJSON.decode(Batch.self, from: created, what: "a batch")
        return BatchHandle(id: batch.id, files: [file.id])
    }

    public func progress(of batch: BatchHandle) async throws(ClassificationFailure) -> BatchProgress {
        let body = try await http.send(.GET, baseURL + "/batches/" + PercentEncoding.escapingAllButUnreserved(batch.id))
        let state = try ProviderJSON.decode(Batch.self, from: body, what: "a batch")
        switch state.status {
        case "validating", "in_progress", "finalizing", "cancelling":
            return .running
        case "completed", "expired", "cancelled":
            // An expired or cancelled batch still has the answers it finished in its files.
            return .ended(results: [state.outputFileID, state.errorFileID].compactMap { $0 }, status: state.status)
        case "failed":
            let first = state.errors?.data?.first
            let reason = [first?.message, first?.code.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
            return .failed(ProviderErrorResponse.trimmed(reason.isEmpty ? "the batch failed" : reason))
        default:
            throw .invalidOutput("the batch's status \"\(state.status.prefix(40))\" is not one of OpenAI's")
        }
    }

    public func results(at results: [String], count: Int) async throws(ClassificationFailure) -> [String: BatchEntryResult] {
        var answers: [String: BatchEntryResult] = [:]
        for file in results {
            let body = try await http.send(
                .GET, baseURL + "/files/" + PercentEncoding.escapingAllButUnreserved(file) + "/content",
                upTo: ProviderHTTP.resultLimit(count: count))
            for line in try BatchResultLines.objects(in: body) {
                guard case .string(let customID)? = line["custom_id"] else { continue }
                answers[customID] = Self.result(of: line)
            }
        }
        return answers
    }

    /// One line of an output or error file: `{"custom_id", "response": {"status_code",
    /// "body"}, "error": {"code", "message"}}`.
    static func result(of line: [String: JSONValue]) -> BatchEntryResult {
        if let error = line["error"], error != .null {
            return .failed(.unavailable("the batch could not run the request: \(BatchResultLines.message(error))"), status: nil)
        }
        guard case .object(let response)? = line["response"], case .number(let code)? = response["status_code"],
            let body = response["body"]
        else {
            return .failed(.invalidOutput("a batch result has neither a response nor an error"), status: nil)
        }
        let status = Int(code)
        guard (200..<300).contains(status) else {
            let message: String
            if case .object(let fields) = body { message = BatchResultLines.message(fields["error"]) } else { message = "no reason given" }
            return .failed(.httpStatus(status, message: message), status: status)
        }
        return .answered(BatchResultLines.body(body))
    }

    public func cancel(_ batch: BatchHandle) async throws(ClassificationFailure) {
        _ = try await http.send(.POST, baseURL + "/batches/" + PercentEncoding.escapingAllButUnreserved(batch.id) + "/cancel")
    }

    public func discard(_ batch: BatchHandle, results: [String]) async throws(ClassificationFailure) {
        var failure: ClassificationFailure?
        for file in batch.files + results {
            do {
                _ = try await http.send(.DELETE, baseURL + "/files/" + PercentEncoding.escapingAllButUnreserved(file))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// The input file: one line per entry, `{"custom_id", "method": "POST", "url", "body"}`.
    static func inputFile(_ entries: [BatchEntry]) -> [UInt8] {
        var file = JSONTextWriter(capacity: entries.reduce(0) { $0 + $1.request.body.readableBytes + 128 })
        for entry in entries {
            file.beginObject()
            file.member("body")
            file.raw(json: entry.request.body.readableBytesView)
            file.member("custom_id")
            file.string(entry.customID)
            file.member("method")
            file.string("POST")
            file.member("url")
            file.string(endpoint)
            file.endObject()
            file.raw("\n")
        }
        return file.bytes
    }

    /// A `multipart/form-data` body (RFC 7578) of the `purpose` and the `file`.
    static func multipart(_ file: [UInt8], boundary: String) -> ByteBuffer {
        var body = ByteBuffer()
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n")
        body.writeString(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"switchyard-batch.jsonl\"\r\n"
                + "Content-Type: application/jsonl\r\n\r\n")
        body.writeBytes(file)
        body.writeString("\r\n--\(boundary)--\r\n")
        return body
    }
}
