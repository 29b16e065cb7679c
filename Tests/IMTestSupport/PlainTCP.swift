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
