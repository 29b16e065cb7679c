// im-bench: opening a WebSocket whose frames go straight to a handler on its event loop.

import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// Opens `ws://host:port/ws` with `token` on `eventLoop`; after the upgrade the WebSocket frames
/// go to `handler`. Returns once the upgrade request is written (the handler sees the `hello`).
func dialWebSocket(
    eventLoop: any EventLoop, host: String, port: Int, token: String,
    handler: some ChannelInboundHandler & Sendable
) async throws -> any Channel {
    let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: 1 << 22) { channel, _ in
        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
    }
    let channel = try await ClientBootstrap(group: eventLoop)
        .channelOption(.tcpOption(.tcp_nodelay), value: 1)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                // The server's `hello` may arrive in the same read as the 101 response: the
                // bytes after the response must go on to the WebSocket, not be dropped (NIO's default).
                try channel.pipeline.syncOperations.addHTTPClientHandlers(
                    leftOverBytesStrategy: .forwardBytes,
                    withClientUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
            }
        }
        .connect(host: host, port: port).get()
    var headers = HTTPHeaders([("Host", "\(host):\(port)"), ("Authorization", "Bearer \(token)")])
    headers.add(name: "Content-Length", value: "0")
    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/ws", headers: headers)
    channel.write(HTTPClientRequestPart.head(head), promise: nil)
    try await channel.writeAndFlush(HTTPClientRequestPart.end(nil))
    return channel
}
