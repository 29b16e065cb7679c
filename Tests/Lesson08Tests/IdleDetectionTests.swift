// Lesson 08 tests, part 2: the server's idle detection, through a real server and real sockets.

import IMClient
import IMComposition
import IMCore
import IMGateway
import IMHeartbeat
import IMServer
import IMTestSupport
import NIOWebSocket
import Testing

@Suite("08 Idle detection end to end")
struct IdleDetectionTests {
    /// A 1 s idle timeout, swept every 100 ms (the default is 660 s, swept every 10 s).
    static func quickIdle(_ configuration: inout ComposedServerConfiguration) {
        configuration.idle = IdleSweeper.Configuration(idleTimeout: .seconds(1), sweepInterval: .milliseconds(100))
    }

    @Test("a silent WebSocket is closed after the idle timeout and leaves the session map")
    func silentConnectionIsClosed() async throws {
        try await withTestServer(configure: Self.quickIdle) { server in
            let bob = try await server.registerUser("bob")
            let registry = server.server.gateway.registry
            let silent = try await server.connect(bob)
            #expect(await eventually { await registry.connections(of: bob.id).count == 1 }, "bob is online")

            #expect(
                await eventually(timeout: .seconds(5)) { await silent.isClosed() },
                "Exercise 08.3: a connection silent for more than 1 s is closed by the sweep")
            #expect(await silent.closeCode() == .goingAway, "the close says why: going away (1001)")
            #expect(
                await eventually { await registry.connections(of: bob.id).isEmpty },
                "the dead connection's entry leaves the session map: bob is no longer online")
            #expect(server.server.idleSweeper.watchedCount == 0, "the sweeper forgets it too")
        }
    }

    @Test("a connection that sends heartbeats more often than the timeout stays open")
    func heartbeatsKeepTheConnectionOpen() async throws {
        try await withTestServer(configure: Self.quickIdle) { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let socket = try await server.connect(bob)
            // 8 heartbeats 300 ms apart: 2.4 s in all, more than twice the idle timeout.
            for beat in 1...8 {
                try await Task.sleep(for: .milliseconds(300))
                #expect(await socket.heartbeat(timeout: .seconds(2)), "heartbeat \(beat) is answered with a pong")
            }
            #expect(!(await socket.isClosed()), "Exercise 08.3: a connection heard from within the timeout is kept")
            #expect(await server.server.gateway.registry.connections(of: bob.id).count == 1, "bob is still online")

            let sent = try await alice.http.send(to: bob.id, body: "still there?")
            #expect(try await socket.nextPushedMessage(timeout: .seconds(5)) == sent, "and pushes still reach him")
        }
    }

    @Test("a peer that vanished (no FIN, no RST) does not hold up a graceful stop")
    func vanishedPeerDoesNotHoldUpShutdown() async throws {
        try await withTemporaryDirectory { directory in
            let server = try await TestServer.start(dataDirectory: directory.path)
            let bob = try await server.registerUser("bob")
            let nat = try await NATStandIn(targetPort: server.port, idleLimit: .seconds(100))
            let socket = try await IMWebSocketClient.connect(
                baseURL: "http://127.0.0.1:\(nat.port)", token: bob.credentials.token)
            #expect(await eventually { await server.server.gateway.registry.connections(of: bob.id).count == 1 })
            nat.dropAllFlows()  // bob's phone is gone; the server's socket stays open
            #expect(await server.stop(), "the drain's close is not answered, yet the server stops gracefully (< 5 s)")
            socket.close()
            await nat.shutdown()
        }
    }
}
