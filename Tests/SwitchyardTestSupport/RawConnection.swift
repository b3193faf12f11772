import NIOCore
import NIOPosix

/// A plain TCP connection to a test server on 127.0.0.1, for what an HTTP client library will
/// not do: send half a request, trickle a body, hold a connection open, watch it close.
public struct RawConnection: Sendable {
    private let channel: any Channel
    /// Everything received, once the connection has closed.
    private let received: EventLoopFuture<String>

    /// Connects to `port` on 127.0.0.1.
    public static func open(port: Int) async throws -> RawConnection {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.any().makePromise(of: String.self)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(promise: promise))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        return RawConnection(channel: channel, received: promise.futureResult)
    }

    /// Sends `text` as it is.
    public func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// Everything the server sends until it closes (or resets) the connection, or `TimedOut`
    /// after `timeout` with the connection still open (then this side closes it).
    public func readUntilClosed(timeout: Duration) async throws -> String {
        let received = self.received
        let channel = self.channel
        return try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask { try await received.get() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let text = first else {
                channel.close(promise: nil)
                throw TimedOut(description: "the server kept the connection open for \(timeout)")
            }
            return text
        }
    }

    /// Closes the connection from this side.
    public func close() {
        channel.close(promise: nil)
    }
}

/// Collects what arrives and hands it over when the connection closes.
private final class Collector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let promise: EventLoopPromise<String>
    private var text = ""

    init(promise: EventLoopPromise<String>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        text += String(buffer: unwrapInboundIn(data))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)  // a reset: what was received is all there is
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.succeed(text)
        context.fireChannelInactive()
    }
}
