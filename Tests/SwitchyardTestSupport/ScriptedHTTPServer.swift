public import Foundation
public import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A request as a scripted server received it.
public struct RecordedRequest: Sendable {
    public var method: String
    public var path: String
    public var headers: HTTPFields
    public var body: Data

    public func json() throws -> [String: any Sendable] {
        (try JSONSerialization.jsonObject(with: body) as? [String: any Sendable]) ?? [:]
    }
}

/// What a scripted server answers.
public struct ScriptedResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var body: String

    public init(status: HTTPResponse.Status = .ok, headers: HTTPFields = [.contentType: "application/json"], body: String = "{}") {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A real HTTP/1.1 server on 127.0.0.1 (a free port) that records every request and answers
/// through a handler: the test double for a platform's API or an LLM server.
public final class ScriptedHTTPServer: Sendable {
    public let port: Int
    private let log: RequestLog

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, in order.
    public var requests: [RecordedRequest] { log.requests.withLock { $0 } }

    private init(port: Int, log: RequestLog) {
        self.port = port
        self.log = log
    }

    /// Starts a server, runs `body` with it, and stops it.
    public static func withServer<T: Sendable>(
        handler: @escaping @Sendable (RecordedRequest, _ index: Int) async -> ScriptedResponse,
        _ body: @Sendable (ScriptedHTTPServer) async throws -> T
    ) async throws -> T {
        let log = RequestLog()
        let router = Router()
        router.on("**", method: .get) { request, context in try await answer(request, context, log, handler) }
        router.on("**", method: .post) { request, context in try await answer(request, context, log, handler) }
        router.on("**", method: .put) { request, context in try await answer(request, context, log, handler) }
        router.on("**", method: .patch) { request, context in try await answer(request, context, log, handler) }
        router.on("**", method: .delete) { request, context in try await answer(request, context, log, handler) }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: Logger(label: "switchyard.test.scripted-server", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.runService() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw TimedOut(description: "server did not start") }
            let server = ScriptedHTTPServer(port: port, log: log)
            defer { group.cancelAll() }
            return try await body(server)
        }
    }

    private static func answer(
        _ request: Request, _ context: BasicRequestContext, _ log: RequestLog,
        _ handler: @Sendable (RecordedRequest, Int) async -> ScriptedResponse
    ) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 16 << 20)
        let recorded = RecordedRequest(
            method: request.method.rawValue, path: request.uri.string, headers: request.headers,
            body: Data(buffer.readableBytesView))
        let index = log.append(recorded)
        let scripted = await handler(recorded, index)
        return Response(status: scripted.status, headers: scripted.headers, body: .init(byteBuffer: ByteBuffer(string: scripted.body)))
    }
}

/// Shares the recorded requests between the router's handlers and the test.
private final class RequestLog: Sendable {
    let requests = Mutex<[RecordedRequest]>([])

    func append(_ request: RecordedRequest) -> Int {
        requests.withLock { requests in
            requests.append(request)
            return requests.count - 1
        }
    }
}
