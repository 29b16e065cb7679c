// Test support: a loopback TCP relay in front of a server, standing in for a network that
// blocks WebSocket (a corporate proxy, a captive portal) — lesson 13.
//
// Each client connection is relayed byte for byte to the target. While WebSockets are blocked,
// a connection whose first request asks for `Upgrade: websocket` is answered `403 Forbidden`
// and closed, as such proxies do; blocking can also cut WebSockets already relayed. In the
// `stall` mode nothing is ever answered (a black hole that only a time-out escapes).

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

    private struct State {
        var blocksWebSockets = false
        var webSockets: [ObjectIdentifier: any Channel] = [:]
        /// Every client connection open now (closed at `stop`).
        var open: [ObjectIdentifier: any Channel] = [:]
        var refused = 0
    }

    public let port: Int
    private let targetPort: Int
    private let mode: Mode
    private let state = Mutex(State())
    private let listener: any Channel

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, targetPort: Int, mode: Mode, listener: any Channel) {
        self.port = port
        self.targetPort = targetPort
        self.mode = mode
        self.listener = listener
    }

    /// Starts a relay on a free loopback port to `127.0.0.1:targetPort`.
    public static func start(targetPort: Int, mode: Mode = .relay, blockingWebSockets: Bool = false) async throws
        -> BlockingProxy
    {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let box = ProxyBox()
        // The accept loop ends when the listener is closed (`stop`).
        Task {
            _ = try? await server.executeThenClose { inbound in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in inbound {
                            group.addTask {
                                // Every accepted channel must be run and closed, even in a race with set-up.
                                guard let proxy = box.proxy else {
                                    _ = try? await connection.executeThenClose { _, _ in }
                                    return
                                }
                                await proxy.serve(connection)
                            }
                        }
                    } catch {}
                }
            }
        }
        let proxy = BlockingProxy(
            port: server.channel.localAddress?.port ?? 0, targetPort: targetPort, mode: mode, listener: server.channel)
        proxy.state.withLock { $0.blocksWebSockets = blockingWebSockets }
        box.proxy = proxy
        return proxy
    }

    /// Refuses new WebSocket upgrades; with `cutExisting`, also closes the WebSockets relayed so far.
    public func blockWebSockets(cutExisting: Bool = false) {
        let cut = state.withLock { state -> [any Channel] in
            state.blocksWebSockets = true
            guard cutExisting else { return [] }
            defer { state.webSockets = [:] }
            return Array(state.webSockets.values)
        }
        for channel in cut { channel.close(promise: nil) }
    }

    /// Lets WebSocket upgrades through again.
    public func unblockWebSockets() {
        state.withLock { $0.blocksWebSockets = false }
    }

    /// How many upgrades were refused.
    public var refusedUpgrades: Int { state.withLock { $0.refused } }

    /// Stops listening and closes every relayed connection.
    public func stop() async {
        // No cancellation of the accept loop: a connection accepted just before the close must
        // still be served (and closed) by it, since NIO requires every async channel to be used.
        try? await listener.close()
        let open = state.withLock { state -> [any Channel] in
            defer {
                state.webSockets = [:]
                state.open = [:]
            }
            return Array(state.open.values)
        }
        for channel in open { channel.close(promise: nil) }
    }

    // MARK: One connection

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let key = ObjectIdentifier(connection.channel)
        state.withLock { $0.open[key] = connection.channel }
        defer { state.withLock { _ = $0.open.removeValue(forKey: key) } }
        try? await connection.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            // The first request's head decides: relay, refuse, or (stall) swallow everything.
            var head = ByteBuffer()
            while !Self.headIsComplete(head) {
                guard var chunk = try await iterator.next() else { return }
                head.writeBuffer(&chunk)
            }
            if mode == .stall {
                while try await iterator.next() != nil {}
                return
            }
            let isWebSocket = Self.asksForWebSocket(head)
            if isWebSocket, state.withLock({ $0.blocksWebSockets }) {
                state.withLock { $0.refused += 1 }
                try await outbound.write(
                    ByteBuffer(string: "HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"))
                return
            }
            if isWebSocket { state.withLock { $0.webSockets[key] = connection.channel } }
            defer { state.withLock { _ = $0.webSockets.removeValue(forKey: key) } }

            let upstream = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: targetPort) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            let client = connection.channel
            let server = upstream.channel
            try await upstream.executeThenClose { upInbound, upOutbound in
                try await upOutbound.write(head)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        // Server to client; when the server closes, so does the client side.
                        defer { client.close(promise: nil) }
                        for try await chunk in upInbound { try await outbound.write(chunk) }
                    }
                    // Client to server, in this task; when the client closes, so does the server side.
                    defer { server.close(promise: nil) }
                    while let chunk = try await iterator.next() { try await upOutbound.write(chunk) }
                    group.cancelAll()
                }
            }
        }
    }

    private static func headIsComplete(_ buffer: ByteBuffer) -> Bool {
        buffer.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) != nil
    }

    private static func asksForWebSocket(_ head: ByteBuffer) -> Bool {
        let text = String(buffer: head).lowercased()
        return text.contains("upgrade: websocket")
    }
}

/// Lets the accept loop reach the proxy made after it started.
private final class ProxyBox: Sendable {
    private let value = Mutex<BlockingProxy?>(nil)
    var proxy: BlockingProxy? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
