import Foundation
import HTTPTypes
import Synchronization

/// How a fake batch API's batches go.
public enum FakeBatchCourse: Sendable {
    /// In progress for `polls` progress reads, then ended with every request answered.
    case endAfter(polls: Int)
    /// In progress until cancelled.
    case never
    /// Refused as a whole at validation (OpenAI's `failed`, with its `errors` list).
    case fail(String)
}

/// What a fake batch API does with one request of a batch: `(status, body)` as the provider's
/// synchronous API would have answered it.
public typealias FakeBatchAnswer = @Sendable (_ customID: String, _ body: [String: Any]) -> (status: Int, body: String)

/// Bodies in Anthropic's Messages wire format, for the doubles that stand for its API.
public enum AnthropicMessages {
    /// A `message` whose forced `classify_ticket` tool call carries the classification.
    public static func classification(department: String, confidence: Double, priority: String = "normal", tags: [String] = []) -> String {
        json([
            "id": "msg_01Aq9w938a90dw8q", "type": "message", "role": "assistant", "model": "claude-haiku-4-5-20251001",
            "content": [
                [
                    "type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "classify_ticket",
                    "input": ["department": department, "confidence": confidence, "priority": priority, "tags": tags],
                ] as [String: Any]
            ],
            "stop_reason": "tool_use", "stop_sequence": NSNull(), "usage": ["input_tokens": 412, "output_tokens": 38],
        ])
    }

    /// Anthropic's error body.
    public static func error(type: String, message: String) -> String {
        json(["type": "error", "error": ["type": type, "message": message]])
    }
}

func json(_ object: Any) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

private func object(_ data: Data) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
}

/// A request's method and path, matched against `v1/batches/*` patterns.
private struct Route {
    var method: String
    var parts: [Substring]

    init(_ request: RecordedRequest) {
        method = request.method
        parts = (request.path.split(separator: "?", maxSplits: 1).first ?? "").split(separator: "/")
    }

    /// The part in place of the pattern's `*` ("" without one); nil when the request is another.
    func id(_ method: String, _ pattern: String) -> String? {
        let wanted = pattern.split(separator: "/")
        guard method == self.method, wanted.count == parts.count else { return nil }
        var captured = ""
        for (part, want) in zip(parts, wanted) {
            if want == "*" { captured = String(part) } else if part != want { return nil }
        }
        return captured
    }

    func `is`(_ method: String, _ pattern: String) -> Bool { id(method, pattern) != nil }
}

/// OpenAI's Batch API as its reference documents it, for `ScriptedHTTPServer`: `POST /v1/files`
/// (multipart, purpose `batch`), `POST /v1/batches`, `GET /v1/batches/{id}`,
/// `POST /v1/batches/{id}/cancel`, `GET /v1/files/{id}/content`, `DELETE /v1/files/{id}`, with
/// OpenAI's error bodies (401 without the key, 400 for a wrong endpoint or window, 404 for an
/// unknown id). Input lines are checked as OpenAI validates them (`custom_id` unique,
/// `method` POST, `url` the batch's endpoint, no `stream`); a bad one fails the batch.
public final class FakeOpenAIBatches: Sendable {
    private struct Batch {
        var inputFile: String
        var status = "validating"
        var polls = 0
        var outputFile: String?
        var errorFile: String?
        var errors: [[String: Any]] = []
    }

    private struct State: @unchecked Sendable {
        var files: [String: Data] = [:]
        var batches: [String: Batch] = [:]
        var nextID = 1
        var cancelled: [String] = []
        var deleted: [String] = []
        var lines: [[String: Any]] = []
    }

    private let apiKey: String
    private let course: FakeBatchCourse
    private let answer: FakeBatchAnswer
    private let state = Mutex(State())

    public init(apiKey: String = "sk-test", course: FakeBatchCourse = .endAfter(polls: 1), answer: @escaping FakeBatchAnswer) {
        self.apiKey = apiKey
        self.course = course
        self.answer = answer
    }

    /// Batches cancelled, by id.
    public var cancelled: [String] { state.withLock { $0.cancelled } }
    /// Files deleted, by id.
    public var deleted: [String] { state.withLock { $0.deleted } }
    /// Files still held (uploaded or produced, not deleted).
    public var files: [String] { state.withLock { Array($0.files.keys).sorted() } }
    /// Batches created.
    public var batchCount: Int { state.withLock { $0.batches.count } }
    /// Every input line uploaded, in order.
    public var inputLines: [[String: Any]] { state.withLock { $0.lines } }

    private static func error(_ status: HTTPResponse.Status, _ message: String, type: String = "invalid_request_error", code: String? = nil)
        -> ScriptedResponse
    {
        ScriptedResponse(status: status, body: ChatCompletions.error(message: message, type: type, code: code))
    }

    public func handle(_ request: RecordedRequest) -> ScriptedResponse {
        guard request.headers[.authorization] == "Bearer \(apiKey)" else {
            return Self.error(.unauthorized, "Incorrect API key provided.", code: "invalid_api_key")
        }
        let route = Route(request)
        if route.is("POST", "v1/files") { return upload(request) }
        if route.is("POST", "v1/batches") { return create(request) }
        if let id = route.id("GET", "v1/batches/*") { return retrieve(id) }
        if let id = route.id("POST", "v1/batches/*/cancel") { return cancel(id) }
        if let id = route.id("GET", "v1/files/*/content") {
            guard let data = state.withLock({ $0.files[id] }) else { return Self.error(.notFound, "No such File object: \(id)") }
            return ScriptedResponse(headers: [.contentType: "application/octet-stream"], body: String(decoding: data, as: UTF8.self))
        }
        if let id = route.id("DELETE", "v1/files/*") {
            let existed = state.withLock { state in
                guard state.files.removeValue(forKey: id) != nil else { return false }
                state.deleted.append(id)
                return true
            }
            guard existed else { return Self.error(.notFound, "No such File object: \(id)") }
            return ScriptedResponse(body: json(["id": id, "object": "file", "deleted": true]))
        }
        return Self.error(.notFound, "Invalid URL (\(request.method) \(request.path))")
    }

    private func newID(_ prefix: String, _ state: inout State) -> String {
        defer { state.nextID += 1 }
        return "\(prefix)-\(state.nextID)"
    }

    private func upload(_ request: RecordedRequest) -> ScriptedResponse {
        guard let contentType = request.headers[.contentType], contentType.hasPrefix("multipart/form-data"),
            let boundary = contentType.components(separatedBy: "boundary=").last, !boundary.isEmpty
        else { return Self.error(.badRequest, "The request must be multipart/form-data.") }
        var fields: [String: Data] = [:]
        let body = request.body
        let delimiter = Data("--\(boundary)".utf8)
        var sections: [Data] = []
        var searchStart = body.startIndex
        var previous: Range<Data.Index>?
        while let found = body.range(of: delimiter, in: searchStart..<body.endIndex) {
            if let previous { sections.append(body[previous.upperBound..<found.lowerBound]) }
            previous = found
            searchStart = found.upperBound
        }
        for section in sections {
            guard let split = section.range(of: Data("\r\n\r\n".utf8)) else { continue }
            let head = String(decoding: section[section.startIndex..<split.lowerBound], as: UTF8.self)
            var content = section[split.upperBound...]
            if content.suffix(2) == Data("\r\n".utf8) { content = content.dropLast(2) }
            guard let name = head.components(separatedBy: "name=\"").dropFirst().first?.components(separatedBy: "\"").first else { continue }
            fields[name] = Data(content)
        }
        guard let purpose = fields["purpose"].map({ String(decoding: $0, as: UTF8.self) }), purpose == "batch" else {
            return Self.error(.badRequest, "'purpose' must be one of 'assistants', 'batch', 'fine-tune', 'vision'.")
        }
        guard let file = fields["file"] else { return Self.error(.badRequest, "'file' is a required property") }
        let id = state.withLock { state in
            let id = newID("file", &state)
            state.files[id] = file
            return id
        }
        return ScriptedResponse(
            body: json(["id": id, "object": "file", "bytes": file.count, "created_at": 1_733_000_000, "filename": "input.jsonl", "purpose": "batch"]))
    }

    private func create(_ request: RecordedRequest) -> ScriptedResponse {
        guard let body = object(request.body), let inputFile = body["input_file_id"] as? String else {
            return Self.error(.badRequest, "'input_file_id' is a required property")
        }
        guard body["endpoint"] as? String == "/v1/chat/completions" else {
            return Self.error(.badRequest, "Invalid value for 'endpoint'.")
        }
        guard body["completion_window"] as? String == "24h" else {
            return Self.error(.badRequest, "Invalid value for 'completion_window': only '24h' is supported.")
        }
        return state.withLock { state in
            guard let data = state.files[inputFile] else { return Self.error(.notFound, "No such File object: \(inputFile)") }
            var batch = Batch(inputFile: inputFile)
            var seen: Set<String> = []
            for (number, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
                guard let entry = object(Data(line)) else {
                    batch.errors.append(["code": "invalid_json_line", "message": "This line is not parseable as valid JSON.", "line": number + 1])
                    continue
                }
                state.lines.append(entry)
                let customID = entry["custom_id"] as? String ?? ""
                let requestBody = entry["body"] as? [String: Any]
                if customID.isEmpty || !seen.insert(customID).inserted {
                    batch.errors.append(["code": "duplicate_custom_id", "message": "The custom_id for this request is a duplicate of another request.", "line": number + 1])
                } else if entry["method"] as? String != "POST" || entry["url"] as? String != "/v1/chat/completions" {
                    batch.errors.append(["code": "mismatched_endpoint", "message": "The provided endpoint does not match the batch's.", "line": number + 1])
                } else if requestBody?["model"] == nil || requestBody?["stream"] as? Bool == true {
                    batch.errors.append(["code": "invalid_request", "message": "The request body is not a valid non-streaming request.", "line": number + 1])
                }
            }
            if case .fail(let message) = course { batch.errors.append(["code": "invalid_request", "message": message, "line": 1]) }
            let id = newID("batch", &state)
            state.batches[id] = batch
            return ScriptedResponse(body: json(description(of: id, batch)))
        }
    }

    private func retrieve(_ id: String) -> ScriptedResponse {
        state.withLock { state in
            guard var batch = state.batches[id] else { return Self.error(.notFound, "No batch found with id '\(id)'.") }
            batch.polls += 1
            switch batch.status {
            case "validating":
                batch.status = batch.errors.isEmpty ? "in_progress" : "failed"
            case "cancelling":
                batch.status = "cancelled"
            case "in_progress":
                if case .endAfter(let polls) = course, batch.polls > polls { finish(&batch, in: &state) }
            default:
                break
            }
            state.batches[id] = batch
            return ScriptedResponse(body: json(description(of: id, batch)))
        }
    }

    /// Answers every input line: 2xx answers in the output file, the others in the error file.
    private func finish(_ batch: inout Batch, in state: inout State) {
        var output: [String] = []
        var errors: [String] = []
        for line in state.files[batch.inputFile]?.split(separator: UInt8(ascii: "\n")) ?? [] {
            guard let entry = object(Data(line)), let customID = entry["custom_id"] as? String,
                let requestBody = entry["body"] as? [String: Any]
            else { continue }
            let (status, body) = answer(customID, requestBody)
            let result = json([
                "id": "batch_req_\(customID)", "custom_id": customID,
                "response": ["status_code": status, "request_id": "req_\(customID)", "body": object(Data(body.utf8)) ?? [:]],
                "error": NSNull(),
            ])
            if (200..<300).contains(status) { output.append(result) } else { errors.append(result) }
        }
        if !output.isEmpty {
            let id = newID("file-out", &state)
            state.files[id] = Data((output.joined(separator: "\n") + "\n").utf8)
            batch.outputFile = id
        }
        if !errors.isEmpty {
            let id = newID("file-err", &state)
            state.files[id] = Data((errors.joined(separator: "\n") + "\n").utf8)
            batch.errorFile = id
        }
        batch.status = "completed"
    }

    private func cancel(_ id: String) -> ScriptedResponse {
        state.withLock { state in
            guard var batch = state.batches[id] else { return Self.error(.notFound, "No batch found with id '\(id)'.") }
            guard ["validating", "in_progress", "finalizing"].contains(batch.status) else {
                return Self.error(.conflict, "Cannot cancel a batch with status '\(batch.status)'.")
            }
            batch.status = "cancelling"
            state.batches[id] = batch
            state.cancelled.append(id)
            return ScriptedResponse(body: json(description(of: id, batch)))
        }
    }

    private func description(of id: String, _ batch: Batch) -> [String: Any] {
        [
            "id": id, "object": "batch", "endpoint": "/v1/chat/completions", "input_file_id": batch.inputFile,
            "completion_window": "24h", "status": batch.status,
            "output_file_id": batch.outputFile as Any? ?? NSNull(), "error_file_id": batch.errorFile as Any? ?? NSNull(),
            "errors": batch.errors.isEmpty ? NSNull() : ["object": "list", "data": batch.errors] as [String: Any],
            "created_at": 1_733_000_000, "metadata": ["source": "switchyard"],
        ]
    }
}

/// Anthropic's Message Batches API as its reference documents it, for `ScriptedHTTPServer`:
/// `POST /v1/messages/batches`, `GET /v1/messages/batches/{id}`, `…/cancel`, `…/results`
/// (JSON Lines) and `DELETE` of an ended batch, with Anthropic's error bodies and its checks
/// (`x-api-key` and `anthropic-version`; `custom_id` unique and `^[a-zA-Z0-9_-]{1,64}$`;
/// `params` with `model`, `max_tokens` and `messages`, never `stream`).
public final class FakeAnthropicBatches: Sendable {
    private struct Batch {
        var requests: [(customID: String, params: [String: Any])]
        var status = "in_progress"
        var polls = 0
        var canceled = false
    }

    private struct State: @unchecked Sendable {
        var batches: [String: Batch] = [:]
        var nextID = 1
        var cancelled: [String] = []
        var deleted: [String] = []
    }

    private let apiKey: String
    private let course: FakeBatchCourse
    private let answer: FakeBatchAnswer
    private let state = Mutex(State())
    /// The server's own URL, for `results_url`.
    private let baseURL: Mutex<String> = Mutex("")

    public init(apiKey: String = "sk-ant-test", course: FakeBatchCourse = .endAfter(polls: 1), answer: @escaping FakeBatchAnswer) {
        self.apiKey = apiKey
        self.course = course
        self.answer = answer
    }

    public var cancelled: [String] { state.withLock { $0.cancelled } }
    public var deleted: [String] { state.withLock { $0.deleted } }
    public var batchCount: Int { state.withLock { $0.batches.count } }

    /// Where the results are served from: the scripted server's base URL.
    public func serve(at baseURL: String) {
        self.baseURL.withLock { $0 = baseURL }
    }

    private static func error(_ status: HTTPResponse.Status, _ type: String, _ message: String) -> ScriptedResponse {
        ScriptedResponse(status: status, body: AnthropicMessages.error(type: type, message: message))
    }

    public func handle(_ request: RecordedRequest) -> ScriptedResponse {
        guard request.headers[HTTPField.Name("x-api-key")!] == apiKey else {
            return Self.error(.unauthorized, "authentication_error", "invalid x-api-key")
        }
        guard request.headers[HTTPField.Name("anthropic-version")!] != nil else {
            return Self.error(.badRequest, "invalid_request_error", "anthropic-version: header is required")
        }
        let route = Route(request)
        if route.is("POST", "v1/messages/batches") { return create(request) }
        if let id = route.id("GET", "v1/messages/batches/*") { return retrieve(id) }
        if let id = route.id("POST", "v1/messages/batches/*/cancel") { return cancel(id) }
        if let id = route.id("GET", "v1/messages/batches/*/results") { return results(id) }
        if let id = route.id("DELETE", "v1/messages/batches/*") { return delete(id) }
        return Self.error(.notFound, "not_found_error", "Not found")
    }

    private func create(_ request: RecordedRequest) -> ScriptedResponse {
        guard let body = object(request.body), let requests = body["requests"] as? [[String: Any]], !requests.isEmpty else {
            return Self.error(.badRequest, "invalid_request_error", "requests: Field required")
        }
        var seen: Set<String> = []
        var batch = Batch(requests: [])
        for (index, entry) in requests.enumerated() {
            guard let customID = entry["custom_id"] as? String,
                customID.range(of: "^[a-zA-Z0-9_-]{1,64}$", options: .regularExpression) != nil, seen.insert(customID).inserted
            else {
                return Self.error(.badRequest, "invalid_request_error", "requests.\(index).custom_id: must be unique and match ^[a-zA-Z0-9_-]{1,64}$")
            }
            guard let params = entry["params"] as? [String: Any], params["model"] != nil, params["max_tokens"] != nil,
                params["messages"] != nil
            else {
                return Self.error(.badRequest, "invalid_request_error", "requests.\(index).params: model, max_tokens and messages are required")
            }
            guard params["stream"] == nil else {
                return Self.error(.badRequest, "invalid_request_error", "requests.\(index).params.stream: streaming is not supported in batches")
            }
            batch.requests.append((customID, params))
        }
        return state.withLock { state in
            let id = "msgbatch_\(state.nextID)"
            state.nextID += 1
            state.batches[id] = batch
            return ScriptedResponse(body: json(description(of: id, batch)))
        }
    }

    private func retrieve(_ id: String) -> ScriptedResponse {
        state.withLock { state in
            guard var batch = state.batches[id] else { return Self.error(.notFound, "not_found_error", "batch \(id) not found") }
            batch.polls += 1
            if batch.status == "canceling" {
                batch.status = "ended"
            } else if batch.status == "in_progress", case .endAfter(let polls) = course, batch.polls > polls {
                batch.status = "ended"
            }
            state.batches[id] = batch
            return ScriptedResponse(body: json(description(of: id, batch)))
        }
    }

    private func cancel(_ id: String) -> ScriptedResponse {
        state.withLock { state in
            guard var batch = state.batches[id] else { return Self.error(.notFound, "not_found_error", "batch \(id) not found") }
            guard batch.status == "in_progress" else {
                return Self.error(.badRequest, "invalid_request_error", "batch \(id) is \(batch.status) and cannot be canceled")
            }
            batch.status = "canceling"
            batch.canceled = true
            state.batches[id] = batch
            state.cancelled.append(id)
            return ScriptedResponse(body: json(description(of: id, batch)))
        }
    }

    private func results(_ id: String) -> ScriptedResponse {
        guard let batch = state.withLock({ $0.batches[id] }) else { return Self.error(.notFound, "not_found_error", "batch \(id) not found") }
        guard batch.status == "ended" else {
            return Self.error(.badRequest, "invalid_request_error", "batch \(id) has not ended; its results are not available")
        }
        var lines: [String] = []
        for request in batch.requests {
            let result: [String: Any]
            if batch.canceled {
                result = ["type": "canceled"]
            } else {
                let (status, body) = answer(request.customID, request.params)
                if (200..<300).contains(status) {
                    result = ["type": "succeeded", "message": object(Data(body.utf8)) ?? [:]]
                } else {
                    result = ["type": "errored", "error": object(Data(body.utf8)) ?? [:]]
                }
            }
            lines.append(json(["custom_id": request.customID, "result": result]))
        }
        return ScriptedResponse(headers: [.contentType: "application/binary"], body: lines.joined(separator: "\n") + "\n")
    }

    private func delete(_ id: String) -> ScriptedResponse {
        state.withLock { state in
            guard let batch = state.batches[id] else { return Self.error(.notFound, "not_found_error", "batch \(id) not found") }
            guard batch.status == "ended" else {
                return Self.error(.badRequest, "invalid_request_error", "batch \(id) has not ended; cancel it first")
            }
            state.batches[id] = nil
            state.deleted.append(id)
            return ScriptedResponse(body: json(["id": id, "type": "message_batch_deleted"]))
        }
    }

    private func description(of id: String, _ batch: Batch) -> [String: Any] {
        let ended = batch.status == "ended"
        let count = batch.requests.count
        return [
            "id": id, "type": "message_batch", "processing_status": batch.status,
            "request_counts": [
                "processing": ended ? 0 : count, "succeeded": ended && !batch.canceled ? count : 0, "errored": 0,
                "canceled": ended && batch.canceled ? count : 0, "expired": 0,
            ],
            "ended_at": ended ? "2026-12-03T18:37:24.100435Z" : NSNull(), "created_at": "2026-12-03T18:30:00.000000Z",
            "expires_at": "2026-12-04T18:30:00.000000Z", "archived_at": NSNull(),
            "cancel_initiated_at": batch.canceled ? "2026-12-03T18:35:00.000000Z" : NSNull(),
            "results_url": ended ? baseURL.withLock { $0 } + "/v1/messages/batches/\(id)/results" : NSNull(),
        ]
    }
}
