// Lesson 08 tests, part 3: the adaptive client heartbeat against a NAT stand-in that silently
// forgets flows idle for longer than 2.9 s (no FIN, no RST), through a real server.

import IMClient
import IMComposition
import IMCore
import IMGateway
import IMHeartbeat
import IMServer
import IMTestSupport
import Testing

@Suite("08 Smart heartbeat through a NAT")
struct NATHeartbeatTests {
    static let natTimeout: Duration = .milliseconds(2900)

    /// The library's search in seconds instead of minutes: 0.5 s, +1.25 s steps, settle 0.5 s below.
    /// The intervals that must survive stay far (≥ 1.1 s) below the NAT's limit, so a slow machine
    /// cannot turn them into misses; the one that must miss is over it, and delays only add to it.
    static let policy = HeartbeatPolicy(
        initialInterval: .milliseconds(500), step: .milliseconds(1250), ceiling: .seconds(5),
        floor: .milliseconds(250), settleMargin: .milliseconds(500), failuresBeforeBackoff: 2,
        successesUntilStable: 3, pongTimeout: .seconds(1))

    /// The server's idle timeout sits above the client's ceiling plus its pong timeout.
    static func idleAboveCeiling(_ configuration: inout ComposedServerConfiguration) {
        configuration.idle = IdleSweeper.Configuration(idleTimeout: .seconds(8), sweepInterval: .milliseconds(200))
    }

    @Test("the heartbeat converges below the NAT timeout, reconnects once, then stays up (08.1, 08.2)")
    func convergesBelowNATTimeout() async throws {
        try await withTestServer(configure: Self.idleAboveCeiling) { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let nat = try await NATStandIn(targetPort: server.port, idleLimit: Self.natTimeout)
            let connection = KeepAliveConnection(
                baseURL: "http://127.0.0.1:\(nat.port)", token: bob.credentials.token, network: "test-nat",
                policy: Self.policy)
            try await connection.start()

            let stable = await eventually(timeout: .seconds(30)) { await connection.heartbeat.isStable }
            await connection.stop()
            let beats = await connection.beats
            #expect(stable, "the search settles and is confirmed within 30 s; beats: \(beats)")

            // 0.5 and 1.75 s survive; 3.0 s is past the NAT's 2.9 s, so the flow is gone and the
            // pong never comes; the search settles at 1.75 − 0.5 = 1.25 s, which then survives.
            let expected: [KeepAliveConnection.Beat] = [
                .init(interval: .milliseconds(500), answered: true),
                .init(interval: .milliseconds(1750), answered: true),
                .init(interval: .milliseconds(3000), answered: false),
                .init(interval: .milliseconds(1250), answered: true),
                .init(interval: .milliseconds(1250), answered: true),
                .init(interval: .milliseconds(1250), answered: true),
            ]
            #expect(beats == expected, "Exercises 08.1/08.2: the probe sequence through the NAT")
            #expect(await connection.heartbeat.interval < Self.natTimeout, "the settled interval is below the NAT timeout")
            #expect(await connection.connectCount == 2, "the dead path was detected and the client reconnected once")
            #expect(nat.droppedFlows == 1, "the NAT dropped exactly the flow that idled too long")
            #expect(
                await connection.memory.interval(for: "test-nat") == .milliseconds(1250),
                "the stable interval is remembered for this network")
            _ = alice
            await nat.shutdown()
        }
    }

    @Test("a dead path is found by a missed heartbeat; the new connection gets what was sent meanwhile")
    func deadPathIsDetectedAndReconnected() async throws {
        try await withTestServer(configure: Self.idleAboveCeiling) { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let nat = try await NATStandIn(targetPort: server.port, idleLimit: Self.natTimeout)
            // Remembered from an earlier visit: settled at 1 s, no search.
            var memory = HeartbeatMemory()
            memory.remember(.seconds(1), for: "test-nat")
            let connection = KeepAliveConnection(
                baseURL: "http://127.0.0.1:\(nat.port)", token: bob.credentials.token, network: "test-nat",
                policy: Self.policy, memory: memory)
            try await connection.start()
            #expect(await connection.heartbeat.phase == .settled, "a remembered network starts settled")
            #expect(await eventually(timeout: .seconds(5)) { await connection.beats.count >= 1 })

            nat.dropAllFlows()  // the path dies; nobody is told
            let sent = try await alice.http.send(to: bob.id, body: "sent while bob's path was dead")
            #expect(
                await eventually(timeout: .seconds(10)) { await connection.connectCount == 2 },
                "the missed heartbeat (1 s + 1 s pong timeout) reveals the dead path and the client reconnects")
            guard let socket = await connection.socket else {
                Issue.record("no live socket after the reconnect")
                return
            }
            // The reconnect replaced the dead entry; the message waits in the timeline for sync.
            let page = try await bob.http.sync(after: 0)
            #expect(page.entries.compactMap(\.message) == [sent], "the message sent during the outage is not lost")
            let live = try await alice.http.send(to: bob.id, body: "and this one is pushed live")
            #expect(try await socket.nextPushedMessage(timeout: .seconds(5)) == live, "the new connection gets pushes")
            await connection.stop()
            await nat.shutdown()
        }
    }

    @Test("a close by the server is not a missed heartbeat: the client reconnects at once and keeps its interval")
    func serverCloseIsNotAMissedHeartbeat() async throws {
        try await withTestServer(configure: Self.idleAboveCeiling) { server in
            let bob = try await server.registerUser("bob")
            var memory = HeartbeatMemory()
            memory.remember(.seconds(4), for: "office-wifi")
            let connection = KeepAliveConnection(
                baseURL: server.baseURL, token: bob.credentials.token, network: "office-wifi", policy: Self.policy,
                memory: memory)
            try await connection.start()

            await server.server.gateway.registry.closeAll(reason: "test: closed by the server")
            #expect(
                await eventually(timeout: .seconds(2)) { await connection.connectCount == 2 },
                "the close is seen at once, long before the next heartbeat (4 s) is due")
            #expect(await connection.closedByServer == 1)
            #expect(await connection.beats.isEmpty, "no heartbeat was counted as missed")
            #expect(await connection.heartbeat.interval == .seconds(4), "the interval found for the network stays")
            #expect(await connection.heartbeat.isStable)
            await connection.stop()
        }
    }
}
