import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Answers `408 body_timeout` and closes the connection when a request's body has not arrived
/// whole `timeout` after its head (a client that trickles its body holds a connection no longer).
///
/// On the event loop, between the HTTP decoder and the router: one scheduled task per request,
/// cancelled when the request ends, rather than a timer task beside every handler that reads a
/// body (which cost intake a quarter of its CPU).
final class BodyDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    private let limitDescription: String
    private var deadline: Scheduled<Void>?
    /// Whether the answer to the current request has begun: then it is not interrupted.
    private var answering = false

    init(timeout: Duration) {
        self.timeout = .milliseconds(Int64(timeout.milliseconds))
        self.limitDescription = timeout.formatted
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            answering = false
            schedule(context)
        case .end:
            cancel()
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head = unwrapOutboundIn(data) {
            answering = true
            cancel()
        }
        context.write(data, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancel()
        context.fireChannelInactive()
    }

    private func schedule(_ context: ChannelHandlerContext) {
        cancel()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            handler.expire(context)
        }
    }

    private func cancel() {
        deadline?.cancel()
        deadline = nil
    }

    private func expire(_ context: ChannelHandlerContext) {
        deadline = nil
        guard !answering, context.channel.isActive else { return }
        answering = true
        let error = APIError(
            .requestTimeout, code: "body_timeout",
            message: "the request body did not arrive whole within \(limitDescription) (server.body_timeout)")
        let body = ByteBuffer(bytes: error.body)
        let head = HTTPResponse(
            status: .requestTimeout,
            headerFields: [
                .contentType: APIEncoding.contentType, .contentLength: "\(body.readableBytes)", .connection: "close",
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let closing = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in closing.value.close(promise: nil) }
    }
}
