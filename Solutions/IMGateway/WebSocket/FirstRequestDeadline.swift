// Lesson 03: a connection must say what it wants, and soon.
//
// A socket that connects and sends nothing, or half a request line, holds a file descriptor and
// a little memory for as long as it stays open. A thousand of them cost an attacker nothing and
// could hold the server's descriptors for hours. So a new connection has a short deadline (10 s
// by default) to deliver its first request head; after that an HTTP connection is watched by
// Hummingbird's idle timeout between requests, and a WebSocket, which was authenticated on its
// upgrade, by lesson 08's idle sweeper.

import NIOCore

/// Closes the connection unless the first request head has been read within `timeout`.
/// `GatewayChannel` removes it once it has seen that head (`met(on:)`).
final class FirstRequestDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard timer == nil else { return }
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    /// The first request head of `channel` has been read: the deadline no longer applies.
    /// Call on the channel's event loop.
    static func met(on channel: any Channel) {
        guard let handler = try? channel.pipeline.syncOperations.handler(type: FirstRequestDeadline.self) else { return }
        channel.pipeline.syncOperations.removeHandler(handler, promise: nil)
    }
}
