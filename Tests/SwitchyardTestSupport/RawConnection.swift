public import NIOCore
import NIOPosix

/// A plain TCP connection to a test server on 127.0.0.1, for what an HTTP client library will
/// not do: send half a request, trickle a body, hold a connection open, watch it close.
public struct RawConnection: Sendable {
    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    /// Connects to `port` on 127.0.0.1.
    public static func open(port: Int) async throws -> RawConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return RawConnection(channel: channel)
    }

    /// Sends `text` as it is.
    public func send(_ text: String) async throws {
        try await channel.channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// Everything the server sends until it closes the connection, or `TimedOut` after
    /// `timeout` with the connection still open.
    public func readUntilClosed(timeout: Duration) async throws -> String {
        let channel = self.channel
        return try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                var received = ""
                do {
                    for try await chunk in channel.inbound { received += String(buffer: chunk) }
                } catch let error as ChannelError where error == .ioOnClosedChannel || error == .alreadyClosed {
                    // Closed before or while reading: what was received is all there is.
                }
                return received
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let received = first else {
                channel.channel.close(promise: nil)
                throw TimedOut(description: "the server kept the connection open for \(timeout)")
            }
            return received
        }
    }

    /// Closes the connection from this side.
    public func close() {
        channel.channel.close(promise: nil)
    }
}
