import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization
import SwitchyardTestSupport
import Testing

/// An in-process HTTP server on 127.0.0.1 that speaks the OpenAI chat completions wire
/// format: `POST /v1/chat/completions`, JSON bodies, OpenAI's error bodies and headers. Any
/// other `POST` path answers the scripted replies too, so the same server stands for
/// Anthropic's `/v1/messages` and Gemini's `/v1/models/M:generateContent` with ``Reply/raw(status:headers:body:)``
/// and ``Reply/stream(_:ending:)`` replies in their formats.
///
/// Each request takes the next scripted ``Reply`` and is recorded for the test to inspect.
actor FakeChatCompletionsServer {
    enum Reply: Sendable {
        /// A `chat.completion` whose `choices[0].message.content` is `content`.
        case completion(content: String, promptTokens: Int = 312, completionTokens: Int = 24)
        /// A `chat.completion` whose message is a refusal.
        case refusal(String)
        /// An HTTP error with OpenAI's error body.
        case error(status: Int, message: String, type: String, code: String?, retryAfter: String? = nil)
        /// Never answers: awaits a gate that only the server's shutdown releases.
        case hang
        /// Sends `200 OK`, headers and the start of the body, then stalls like ``hang``.
        case hangAfterHeaders
        /// Any answer, as given.
        case raw(status: Int, headers: [String: String] = [:], body: String)
        /// `200 OK` with `text/event-stream`: each string is sent as its own chunk (write whole
        /// events, `data: …\n\n`), then the stream ends as `ending` says.
        case stream([String], ending: StreamEnding = .complete)
    }

    enum StreamEnding: Sendable {
        /// The body ends normally.
        case complete
        /// The connection is dropped without ending the chunked body.
        case cut
        /// The server stops sending and never ends the body.
        case stall
    }

    struct RecordedRequest: Sendable {
        var method: String
        var path: String
        var authorization: String?
        /// Azure OpenAI's key header.
        var apiKey: String?
        /// The query string, without `?`.
        var query: String?
        var contentType: String?
        var headers: HTTPFields
        var body: Data

        /// The body as JSON.
        var json: [String: Any] {
            get throws {
                try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            }
        }
    }

    private var replies: [Reply]
    private(set) var requests: [RecordedRequest] = []
    /// The gates that hanging handlers await; only shutdown opens them, never a test.
    private let gates = Mutex<[AsyncStream<Never>.Continuation]>([])

    private init(replies: [Reply]) {
        self.replies = replies
    }

    /// Runs a server for the duration of `body`, passing the base URL (`http://127.0.0.1:PORT/v1`).
    static func withServer<Result>(
        replying replies: [Reply],
        _ body: (FakeChatCompletionsServer, _ baseURL: String) async throws -> Result
    ) async throws -> Result {
        let server = FakeChatCompletionsServer(replies: replies)
        let router = Router()
        router.post("**") { request, _ in
            let bodyBuffer = try await request.body.collect(upTo: 1 << 20)
            let recorded = RecordedRequest(
                method: request.method.rawValue,
                path: request.uri.path,
                authorization: request.headers[.authorization],
                apiKey: request.headers[HTTPField.Name("api-key")!],
                query: request.uri.query,
                contentType: request.headers[.contentType],
                headers: request.headers,
                body: Data(buffer: bodyBuffer)
            )
            return await server.respond(to: recorded)
        }
        let ports = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                ports.continuation.yield(channel.localAddress?.port ?? 0)
                ports.continuation.finish()
            },
            logger: Logger(label: "fake-chat-completions", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            defer {
                server.openGates()
                group.cancelAll()
            }
            var portIterator = ports.stream.makeAsyncIterator()
            let port = try #require(await portIterator.next())
            try #require(port > 0)
            return try await body(server, "http://127.0.0.1:\(port)/v1")
        }
    }

    /// Runs a server just long enough to learn a free port, then stops it: connecting
    /// there is refused.
    static func closedPortURL() async throws -> String {
        try await withServer(replying: []) { _, baseURL in baseURL }
    }

    private func respond(to request: RecordedRequest) async -> Response {
        requests.append(request)
        guard !replies.isEmpty else {
            return Self.json(
                status: .internalServerError, ChatCompletions.error(message: "unexpected request", type: "test_error", code: nil))
        }
        switch replies.removeFirst() {
        case .completion(let content, let promptTokens, let completionTokens):
            return Self.json(
                status: .ok,
                ChatCompletions.completion(
                    content: content, model: "gpt-4o-mini-2024-07-18", promptTokens: promptTokens,
                    completionTokens: completionTokens))
        case .refusal(let text):
            return Self.json(status: .ok, ChatCompletions.refusal(text, model: "gpt-4o-mini-2024-07-18"))
        case .error(let status, let message, let type, let code, let retryAfter):
            var response = Self.json(status: .init(code: status), ChatCompletions.error(message: message, type: type, code: code))
            if let retryAfter {
                response.headers[.retryAfter] = retryAfter
            }
            return response
        case .hang:
            await awaitGate()
            return Response(status: .serviceUnavailable)
        case .hangAfterHeaders:
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: #"{"id":"chatcmpl-1","object":"chat.completion","#))
                    await self.awaitGate()
                    try await writer.finish(nil)
                }
            )
        case .raw(let status, let headers, let body):
            var fields: HTTPFields = [.contentType: "application/json"]
            for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
            return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
        case .stream(let chunks, let ending):
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    for chunk in chunks { try await writer.write(ByteBuffer(string: chunk)) }
                    switch ending {
                    case .complete: try await writer.finish(nil)
                    case .cut: throw CutStream()
                    case .stall:
                        await self.awaitGate()
                        try await writer.finish(nil)
                    }
                }
            )
        }
    }

    /// Breaks the response off mid-body: Hummingbird closes the connection when a body writer throws.
    struct CutStream: Error {}

    private nonisolated func awaitGate() async {
        let gate = AsyncStream<Never>.makeStream()
        gates.withLock { $0.append(gate.continuation) }
        for await _ in gate.stream {}
    }

    private nonisolated func openGates() {
        gates.withLock { gates in
            for gate in gates { gate.finish() }
            gates.removeAll()
        }
    }

    private static func json(status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
