// Test helper: a TCP connection held open by hand, for idle, half-sent and capped connections.

import NIOCore
import NIOPosix
import Synchronization

/// A plain TCP connection to the server that sends only what it is told to and keeps what it
/// receives. Linux routes all of 127.0.0.0/8 to loopback, so `source` can stand for another client.
public final class RawSocket: Sendable {
    private let channel: any Channel
    private let collector: Collector

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    public static func connect(port: Int, from source: String = "127.0.0.1", sending bytes: String = "") async throws
        -> RawSocket
    {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(to: try SocketAddress(ipAddress: source, port: 0))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let socket = RawSocket(channel: channel, collector: collector)
        if !bytes.isEmpty { try await socket.send(bytes) }
        return socket
    }

    public func send(_ bytes: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: bytes))
    }

    /// Whether the connection is still open (a close or a reset from the server ends it).
    public var isOpen: Bool { channel.isActive }

    /// Everything received so far, as text.
    public var receivedText: String { collector.received.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Waits until the server has closed the connection; false if it is still open after `timeout`.
    public func closedByServer(within timeout: Duration) async -> Bool {
        await eventually(timeout: timeout) { !self.isOpen }
    }

    public func close() async {
        try? await channel.close()
    }

    /// Keeps the bytes read; a reset is taken as a close.
    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received = Mutex<[UInt8]>([])

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.withLock { $0 += buffer.readableBytesView }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
