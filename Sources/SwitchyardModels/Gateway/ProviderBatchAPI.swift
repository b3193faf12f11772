import AsyncHTTPClient
import Foundation
public import NIOCore
import NIOFoundationCompat
import NIOHTTP1
public import SwitchyardCore

/// One request of a batch: the classification request a ``ProviderWireFormat`` wrote (not
/// streamed), under an id of its own within the batch.
public struct BatchEntry: Sendable {
    /// `[A-Za-z0-9_-]{1,64}`, which both OpenAI and Anthropic accept.
    public var customID: String
    public var request: ProviderRequest

    public init(customID: String, request: ProviderRequest) {
        self.customID = customID
        self.request = request
    }
}

/// A batch the provider accepted.
public struct BatchHandle: Sendable, Hashable {
    /// The provider's id: `batch_…` (OpenAI), `msgbatch_…` (Anthropic).
    public var id: String
    /// What was uploaded for it (OpenAI's input file), deleted once the batch is over.
    public var files: [String]

    public init(id: String, files: [String] = []) {
        self.id = id
        self.files = files
    }
}

/// Where a batch stands.
public enum BatchProgress: Sendable, Hashable {
    /// Validating, in progress, finalizing or being cancelled.
    case running
    /// Processing ended (`status` as the provider says it: `completed`, `expired`, `cancelled`,
    /// `ended`); the results are at `results` (OpenAI's output and error files, Anthropic's
    /// results URL). An entry missing from them got no answer.
    case ended(results: [String], status: String)
    /// The provider refused the batch as a whole (OpenAI's `failed`: an invalid input file).
    case failed(String)
}

/// What one entry of a batch came to.
public enum BatchEntryResult: Sendable {
    /// The entry's response body, as the provider's synchronous API would have answered it.
    case answered(ByteBuffer)
    /// The entry failed; `status` is the HTTP status the provider recorded for it, if any.
    case failed(ClassificationFailure, status: Int?)
}

/// A provider's batch API: many classification requests sent as one job at a discount (half
/// price at OpenAI and Anthropic), answered within hours rather than seconds. The provider
/// kinds differ in how a batch is sent (OpenAI uploads a JSONL file, Anthropic takes the
/// requests inline), followed and read; ``BatchQueue`` drives any of them the same way.
public protocol ProviderBatchAPI: Sendable {
    /// Sends `entries` as one batch.
    func create(_ entries: [BatchEntry]) async throws(ClassificationFailure) -> BatchHandle
    func progress(of batch: BatchHandle) async throws(ClassificationFailure) -> BatchProgress
    /// Each entry's result by its custom id, read from an ended batch's `results`; `count`
    /// entries were sent (what bounds the size read).
    func results(at results: [String], count: Int) async throws(ClassificationFailure) -> [String: BatchEntryResult]
    /// Asks the provider to stop the batch; what it already answered is still billed.
    func cancel(_ batch: BatchHandle) async throws(ClassificationFailure)
    /// Deletes what the batch left at the provider (its files and results, which hold ticket
    /// text), where the API allows it. Failures are only logged by the caller: the provider
    /// deletes them itself in time.
    func discard(_ batch: BatchHandle, results: [String]) async throws(ClassificationFailure)
}

/// The HTTP calls of a batch API: one request with the provider's credentials, a deadline,
/// and the provider's error body read for its message.
struct ProviderHTTP: Sendable {
    let client: HTTPClient
    /// Credentials and version headers.
    let headers: [(name: String, value: String)]
    /// Each call, start to end.
    let timeout: Duration

    func send(
        _ method: HTTPMethod, _ url: String, body: ByteBuffer? = nil, contentType: String = "application/json",
        upTo limit: Int = ProviderTransport.maximumResponseBytes
    ) async throws(ClassificationFailure) -> ByteBuffer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(body)
        }
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + timeout
        let message = request
        let client = client
        do {
            return try await withDeadline(until: deadline) {
                let response = try await client.execute(message, deadline: .now() + TimeAmount(deadline - .now))
                let status = Int(response.status.code)
                guard (200..<300).contains(status) else {
                    let body = try await response.body.collect(upTo: ProviderTransport.maximumErrorBytes)
                    throw ClassificationFailure.httpStatus(
                        status, message: ProviderErrorResponse.trimmed(ProviderErrorResponse.summary(of: body) ?? response.status.reasonPhrase))
                }
                return try await response.body.collect(upTo: limit)
            }
        } catch let failure as ClassificationFailure {
            throw failure
        } catch is DeadlineExceeded {
            throw .timedOut(after: clock.now - start)
        } catch is NIOTooManyBytesError {
            throw .invalidOutput("the answer is larger than \(limit) bytes")
        } catch {
            throw ProviderTransport.failure(for: error, deadlinePassed: clock.now >= deadline, elapsed: clock.now - start)
        }
    }

    /// The most a batch's results may take: far more than its answers (a few hundred bytes each).
    static func resultLimit(count: Int) -> Int {
        ProviderTransport.maximumResponseBytes + count * (64 << 10)
    }
}

/// Reading the JSON Lines of batch results, one object per line.
enum BatchResultLines {
    /// Each non-empty line of `body` as a JSON object; a line that is not one is a failure
    /// of the whole file (it is not the provider's format).
    static func objects(in body: ByteBuffer) throws(ClassificationFailure) -> [[String: JSONValue]] {
        var objects: [[String: JSONValue]] = []
        let bytes = Array(body.readableBytesView)
        for (number, line) in bytes.split(separator: UInt8(ascii: "\n")).enumerated() {
            let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            guard !trimmed.isEmpty else { continue }
            let value: JSONValue
            do {
                value = try JSONValue.parse(Array(trimmed))
            } catch {
                throw .invalidOutput("batch results line \(number + 1) is not JSON: \(error)")
            }
            guard case .object(let object) = value else {
                throw .invalidOutput("batch results line \(number + 1) is \(value.kindDescription), not an object")
            }
            objects.append(object)
        }
        return objects
    }

    /// `value` written back as JSON bytes, for the wire format to read as a response body.
    static func body(_ value: JSONValue) -> ByteBuffer {
        ByteBuffer(bytes: value.serialized)
    }

    /// `message (type)` of an error object (`{"message", "type"|"code"}`).
    static func message(_ error: JSONValue?) -> String {
        guard case .object(let fields)? = error else { return "no reason given" }
        var message = "no reason given"
        if case .string(let text)? = fields["message"] { message = text }
        if case .string(let code)? = fields["code"] ?? fields["type"] { message += " (\(code))" }
        return ProviderErrorResponse.trimmed(message)
    }
}
