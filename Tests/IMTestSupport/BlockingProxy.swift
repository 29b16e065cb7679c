// Test support: a loopback TCP relay in front of a server, standing in for a network that
// blocks WebSocket (a corporate proxy, a captive portal) — lesson 13.
//
// Each client connection is relayed byte for byte to the target. While WebSockets are blocked,
// a connection whose first request asks for `Upgrade: websocket` is answered `403 Forbidden`
// and closed, as such proxies do; blocking can also cut WebSockets already relayed. In the
// `stall` mode nothing is ever answered (a black hole that only a time-out escapes).
//
// Plain channel handlers, not async channels: an accepted connection that races with `stop`
// then needs nobody to consume it, it is simply closed with the event loop's channels.

import NIOCore
import NIOPosix
import Synchronization

/// A relay that can refuse and cut WebSockets.
public final class BlockingProxy: Sendable {
    /// What the relay does with a connection.
    public enum Mode: Sendable {
        /// Forward everything; refuse WebSocket upgrades while blocked.
        case relay
        /// Accept and read, never answer.
        case stall
    }

    public let port: Int
    private let listener: any Channel
    private let registry: ProxyRegistry

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, listener: any Channel, registry: ProxyRegistry) {
        self.port = port
        self.listener = listener
        self.registry = registry
    }

    /// Starts a relay on a free loopback port to `127.0.0.1:targetPort`.
    public static func start(targetPort: Int, mode: Mode = .relay, blockingWebSockets: Bool = false) async throws
        -> BlockingProxy
    {
        let registry = ProxyRegistry(blocksWebSockets: blockingWebSockets)
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { client in
                client.eventLoop.makeCompletedFuture {
                    try client.pipeline.syncOperations.addHandler(
                        ProxyFrontHandler(targetPort: targetPort, mode: mode, registry: registry))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return BlockingProxy(port: listener.localAddress?.port ?? 0, listener: listener, registry: registry)
    }

    /// Refuses new WebSocket upgrades; with `cutExisting`, also closes the WebSockets relayed so far.
    public func blockWebSockets(cutExisting: Bool = false) {
        for channel in registry.block(cutExisting: cutExisting) { channel.close(promise: nil) }
    }

    /// Lets WebSocket upgrades through again.
    public func unblockWebSockets() { registry.unblock() }

    /// How many upgrades were refused.
    public var refusedUpgrades: Int { registry.refused }

    /// Stops listening and closes every relayed connection.
    public func stop() async {
        try? await listener.close()
        for channel in registry.removeAll() { channel.close(promise: nil) }
    }
}

/// What the relay knows across connections.
final class ProxyRegistry: Sendable {
    private struct State {
        var blocksWebSockets: Bool
        var webSockets: [ObjectIdentifier: any Channel] = [:]
        /// Every client connection open now (closed at `stop`).
        var open: [ObjectIdentifier: any Channel] = [:]
        var refused = 0
    }

    private let state: Mutex<State>

    init(blocksWebSockets: Bool) { state = Mutex(State(blocksWebSockets: blocksWebSockets)) }

    var refused: Int { state.withLock { $0.refused } }

    func block(cutExisting: Bool) -> [any Channel] {
        state.withLock { state in
            state.blocksWebSockets = true
            guard cutExisting else { return [] }
            defer { state.webSockets = [:] }
            return Array(state.webSockets.values)
        }
    }

    func unblock() { state.withLock { $0.blocksWebSockets = false } }

    func opened(_ channel: any Channel) { state.withLock { $0.open[ObjectIdentifier(channel)] = channel } }

    func closed(_ channel: any Channel) {
        state.withLock {
            $0.open[ObjectIdentifier(channel)] = nil
            $0.webSockets[ObjectIdentifier(channel)] = nil
        }
    }

    /// Decides a WebSocket upgrade: refused (and counted) while blocked, otherwise remembered.
    func admitWebSocket(_ channel: any Channel) -> Bool {
        state.withLock { state in
            if state.blocksWebSockets {
                state.refused += 1
                return false
            }
            state.webSockets[ObjectIdentifier(channel)] = channel
            return true
        }
    }

    func removeAll() -> [any Channel] {
        state.withLock { state in
            defer {
                state.webSockets = [:]
                state.open = [:]
            }
            return Array(state.open.values)
        }
    }
}

/// The client side of one relayed connection: reads the first request head, then decides.
final class ProxyFrontHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        case readingHead(ByteBuffer)
        case connecting(pending: ByteBuffer)
        case relaying(upstream: any Channel)
        case swallowing
        case done
    }

    private let targetPort: Int
    private let mode: BlockingProxy.Mode
    private let registry: ProxyRegistry
    private var phase = Phase.readingHead(ByteBuffer())

    init(targetPort: Int, mode: BlockingProxy.Mode, registry: ProxyRegistry) {
        self.targetPort = targetPort
        self.mode = mode
        self.registry = registry
    }

    func handlerAdded(context: ChannelHandlerContext) { registry.opened(context.channel) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        switch phase {
        case .readingHead(var head):
            head.writeBuffer(&bytes)
            guard Self.headIsComplete(head) else {
                phase = .readingHead(head)
                return
            }
            decide(context: context, head: head)
        case .connecting(var pending):
            pending.writeBuffer(&bytes)
            phase = .connecting(pending: pending)
        case .relaying(let upstream):
            upstream.writeAndFlush(bytes, promise: nil)
        case .swallowing, .done:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        registry.closed(context.channel)
        if case .relaying(let upstream) = phase { upstream.close(promise: nil) }
        phase = .done
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }

    private func decide(context: ChannelHandlerContext, head: ByteBuffer) {
        if mode == .stall {
            phase = .swallowing
            return
        }
        let client = context.channel
        if Self.asksForWebSocket(head), !registry.admitWebSocket(client) {
            phase = .done
            let refusal = ByteBuffer(string: "HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            context.writeAndFlush(wrapOutboundOut(refusal)).whenComplete { _ in client.close(promise: nil) }
            return
        }
        phase = .connecting(pending: head)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        // Same event loop for both sides, so the callbacks below run where the handler lives.
        ClientBootstrap(group: context.eventLoop)
            .channelInitializer { upstream in
                upstream.eventLoop.makeCompletedFuture {
                    try upstream.pipeline.syncOperations.addHandler(ProxyBackHandler(client: client))
                }
            }
            .connect(host: "127.0.0.1", port: targetPort)
            .whenComplete { result in handler.value.connected(result, client: client) }
    }

    private func connected(_ result: Result<any Channel, any Error>, client: any Channel) {
        switch (result, phase) {
        case (.success(let upstream), .connecting(let pending)):
            phase = .relaying(upstream: upstream)
            upstream.writeAndFlush(pending, promise: nil)
        case (.success(let upstream), _):
            upstream.close(promise: nil)  // the client left while we connected
        case (.failure, _):
            client.close(promise: nil)
        }
    }

    private static func headIsComplete(_ buffer: ByteBuffer) -> Bool {
        buffer.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) != nil
    }

    private static func asksForWebSocket(_ head: ByteBuffer) -> Bool {
        String(buffer: head).lowercased().contains("upgrade: websocket")
    }
}

/// The server side of one relayed connection: everything read goes to the client; a close too.
final class ProxyBackHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let client: any Channel

    init(client: any Channel) { self.client = client }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        client.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        client.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}
