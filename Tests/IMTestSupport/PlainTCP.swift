// Test helper: raw bytes over a plain TCP connection, for requests no HTTP client would send.

import NIOCore
import NIOPosix

/// Sends `bytes` on a plain TCP connection and returns everything received until the server
/// closes the connection; nil when it is still open after `timeout`.
public func plainExchange(port: Int, sending bytes: String, timeout: Duration = .seconds(10)) async throws -> [UInt8]? {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    return await withTaskGroup(of: [UInt8]?.self) { race in
        race.addTask {
            var received: [UInt8] = []
            try? await channel.executeThenClose { inbound, outbound in
                if !bytes.isEmpty { try await outbound.write(ByteBuffer(string: bytes)) }
                do {
                    for try await chunk in inbound { received += chunk.readableBytesView }
                } catch {
                    // A reset is a close too.
                }
            }
            return received
        }
        race.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = await race.next() ?? nil
        race.cancelAll()
        channel.channel.close(promise: nil)
        return first
    }
}

/// The upgrade request of a WebSocket client (RFC 6455's sample key).
public func webSocketUpgradeRequest(path: String, headers: [String] = []) -> String {
    ([
        "GET \(path) HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
    ] + headers)
    .joined(separator: "\r\n") + "\r\n\r\n"
}

/// A WebSocket client that upgrades and then never reads a byte (a frozen app): its kernel
/// receive buffer is small, and nothing empties it.
public final class NonReadingWebSocket: Sendable {
    private let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    public static func connect(port: Int, token: String) async throws -> NonReadingWebSocket {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_rcvbuf), value: 4096)
            .channelOption(.autoRead, value: false)
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(ByteBuffer(string: webSocketUpgradeRequest(path: "/ws?token=\(token)")))
        return NonReadingWebSocket(channel: channel)
    }

    /// Whether the server has closed the connection (seen without reading: a write fails).
    public var isActive: Bool { channel.isActive }

    /// Sends one text frame, masked as a client must (RFC 6455 §5.3), e.g. a `room.join`.
    public func sendText(_ text: String) async throws {
        let payload = Array(text.utf8)
        let mask: [UInt8] = [0x37, 0xfa, 0x21, 0x3d]
        var frame: [UInt8] = [0x81]
        switch payload.count {
        case ..<126: frame.append(0x80 | UInt8(payload.count))
        case ..<65_536: frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        default: frame += [0x80 | 127] + (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xff) }
        }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try await channel.writeAndFlush(ByteBuffer(bytes: frame))
    }

    public func close() async {
        try? await channel.close()
    }
}
