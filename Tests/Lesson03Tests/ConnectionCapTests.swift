// Lesson 03 tests: the connection caps on a real server, with real sockets on loopback.

import IMComposition
import IMGateway
import IMServer
import IMTestSupport
import Testing

@Suite("03 Connection caps")
struct ConnectionCapTests {
    private static let keepAliveHealth = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"

    @Test(
        "over the per-address cap a connection is closed at once; the address's served connections and other addresses are unaffected"
    )
    func perAddressCap() async throws {
        try await withTestServer(configure: { $0.gateway.maxConnectionsPerAddress = 3 }) { server in
            // Three kept-alive connections from one address, each served a request.
            var served: [RawSocket] = []
            for _ in 0..<3 {
                let socket = try await RawSocket.connect(port: server.port, from: "127.0.0.2", sending: Self.keepAliveHealth)
                #expect(await eventually { socket.receivedText.hasPrefix("HTTP/1.1 200") })
                served.append(socket)
            }
            let fourth = try await RawSocket.connect(port: server.port, from: "127.0.0.2")
            #expect(await fourth.closedByServer(within: .seconds(3)), "the fourth from that address is closed at once")
            #expect(fourth.receivedText.isEmpty)
            #expect(server.server.gateway.connectionLimiter.statistics.refusedPerAddress == 1)

            for socket in served { #expect(socket.isOpen, "the served connections stay open") }
            try await served[0].send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(await served[0].closedByServer(within: .seconds(3)))
            #expect(
                served[0].receivedText.split(separator: "HTTP/1.1 200", omittingEmptySubsequences: false).count == 3,
                "and still answer")

            let other = try #require(
                try await plainExchange(
                    port: server.port, sending: "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    timeout: .seconds(5)))
            #expect(String(decoding: other, as: UTF8.self).hasPrefix("HTTP/1.1 200"), "another address is not capped")

            // served[0] closed: there is room for one more from 127.0.0.2.
            #expect(await eventually { server.server.gateway.connectionLimiter.statistics.open <= 2 })
            let fifth = try await RawSocket.connect(port: server.port, from: "127.0.0.2", sending: Self.keepAliveHealth)
            #expect(await eventually { fifth.receivedText.hasPrefix("HTTP/1.1 200") }, "a close made room")
            for socket in served + [fourth, fifth] { await socket.close() }
        }
    }

    @Test("at the total cap silent connections make room for new ones, so /health answers; served connections are never cut")
    func totalCapEvictsSilentConnections() async throws {
        try await withTestServer(configure: { $0.gateway.maxConnections = 8 }) { server in
            var served: [RawSocket] = []
            for _ in 0..<3 {
                let socket = try await RawSocket.connect(port: server.port, sending: Self.keepAliveHealth)
                #expect(await eventually { socket.receivedText.hasPrefix("HTTP/1.1 200") })
                served.append(socket)
            }
            // Twice the cap of silent sockets from another address.
            var silent: [RawSocket] = []
            for _ in 0..<16 { silent.append(try await RawSocket.connect(port: server.port, from: "127.0.0.3")) }
            let flood = silent
            #expect(await eventually { flood.filter { !$0.isOpen }.count >= 11 }, "16 silent, 5 places: 11 closed")

            let health = try #require(
                try await plainExchange(
                    port: server.port, sending: "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    timeout: .seconds(5)),
                "/health answers while the server is full of silent connections")
            #expect(String(decoding: health, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
            for socket in served { #expect(socket.isOpen, "a connection that was served is not evicted") }
            let statistics = server.server.gateway.connectionLimiter.statistics
            #expect(statistics.evicted >= 12, "11 silent sockets, then one more for /health: \(statistics)")
            #expect(statistics.refusedTotal == 0)
            #expect(statistics.open <= 8)

            // Full of served connections: a new one is refused, the others stay.
            for socket in silent { await socket.close() }
            #expect(await eventually { server.server.gateway.connectionLimiter.statistics.open == 3 })
            for _ in 0..<5 {
                let socket = try await RawSocket.connect(port: server.port, sending: Self.keepAliveHealth)
                #expect(await eventually { socket.receivedText.hasPrefix("HTTP/1.1 200") })
                served.append(socket)
            }
            let refused = try await RawSocket.connect(port: server.port)
            #expect(await refused.closedByServer(within: .seconds(3)), "the ninth is refused")
            #expect(refused.receivedText.isEmpty)
            #expect(server.server.gateway.connectionLimiter.statistics.refusedTotal == 1)
            for socket in served { #expect(socket.isOpen) }
            for socket in served { await socket.close() }
        }
    }
}
