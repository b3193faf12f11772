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

    /// Everything received so far once it contains `marker`, or `TimedOut` after `timeout`
    /// (the connection stays open either way, for a server that has not read it yet).
    public func receive(containing marker: String, timeout: Duration) async throws -> String {
        let channel = self.channel
        let arrived = try await channel.eventLoop.submit {
            let promise = channel.eventLoop.makePromise(of: String.self)
            do {
                try channel.pipeline.syncOperations.handler(type: Collector.self)
                    .wait(for: marker, timeout: TimeAmount(timeout), promise: promise, on: channel.eventLoop)
            } catch {
                promise.fail(error)
            }
            return promise.futureResult
        }.get()
        return try await arrived.get()
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
    private var waiters: [(id: Int, marker: String, promise: EventLoopPromise<String>)] = []
    private var nextWaiter = 0

    init(promise: EventLoopPromise<String>) {
        self.promise = promise
    }

    /// Succeeds `promise` with what has arrived once it contains `marker`; fails it with
    /// `TimedOut` after `timeout`.
    func wait(for marker: String, timeout: TimeAmount, promise: EventLoopPromise<String>, on eventLoop: any EventLoop) {
        let id = nextWaiter
        nextWaiter += 1
        waiters.append((id, marker, promise))
        settle()
        let collector = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: timeout) {
            collector.value.expire(id, after: timeout)
        }
    }

    private func expire(_ id: Int, after timeout: TimeAmount) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.promise.fail(TimedOut(description: "nothing containing \(waiter.marker.debugDescription) arrived within \(timeout)"))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        text += String(buffer: unwrapInboundIn(data))
        settle()
    }

    private func settle() {
        waiters.removeAll { waiter in
            guard text.contains(waiter.marker) else { return false }
            waiter.promise.succeed(text)
            return true
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)  // a reset: what was received is all there is
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.succeed(text)
        for waiter in waiters { waiter.promise.fail(ChannelError.ioOnClosedChannel) }
        waiters.removeAll()
        context.fireChannelInactive()
    }
}
