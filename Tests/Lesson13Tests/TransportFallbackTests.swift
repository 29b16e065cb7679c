// Lesson 13 tests, part 4: a client behind a proxy that blocks WebSocket. It falls back to the
// tunnel, chats with a WebSocket user without loss, repeats or reordering, and moves back to
// WebSocket when the block is lifted; and it races endpoints instead of waiting for each.

import IMClient
import IMCore
import IMTestSupport
import IMTunnel
import Testing

@Suite("13 Transport fallback end to end", .serialized)
struct TransportFallbackTests {
    static let quickPolicy = TransportSelectorPolicy(
        stagger: .milliseconds(100), retryDelay: .milliseconds(200), reprobeInterval: .milliseconds(300))

    @Test(
        "behind a WebSocket-blocking proxy a client chats over the tunnel, then returns to WebSocket, losing nothing (13.1, 13.2)"
    )
    func fallbackAndReturn() async throws {
        // Up to 150 sends pipelined at once per round: more than lesson 12's send burst (100),
        // which this test is not about.
        try await withTestServer(configure: { $0.liftSendLimit() }) { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let proxy = try await BlockingProxy.start(targetPort: server.port, blockingWebSockets: true)
            let aliceSocket = try await server.connect(alice)
            let bobClient = IMAdaptiveClient(
                endpoints: [TransportEndpoint(.webSocket, proxy.baseURL), TransportEndpoint(.tunnel, proxy.baseURL)],
                token: bob.credentials.token, policy: Self.quickPolicy, tunnelPollWait: .seconds(2))
            await bobClient.start()
            #expect(await bobClient.waitForConnection(), "bob gets through")
            #expect(await bobClient.endpoint?.kind == .tunnel, "Exercise 13.3: over the tunnel, WebSocket being refused")
            #expect(proxy.refusedUpgrades >= 1, "the proxy did refuse the WebSocket")

            // Round 1: on the tunnel.
            try await exchange(150, round: 1, alice: alice, aliceSocket: aliceSocket, bob: bob, bobClient: bobClient)

            // Round 2: the block is lifted while messages flow; the client's re-probe moves it back
            // to WebSocket mid-stream, and what was in flight on the tunnel must not be lost.
            try await exchange(150, round: 2, alice: alice, aliceSocket: aliceSocket, bob: bob, bobClient: bobClient) {
                proxy.unblockWebSockets()
            }
            let back = await eventually(timeout: .seconds(10)) { await bobClient.endpoint?.kind == .webSocket }
            #expect(back, "Exercise 13.3: back on WebSocket once it works")

            // Round 3: the proxy blocks again and cuts the live WebSocket in the middle of a burst.
            try await exchange(100, round: 3, alice: alice, aliceSocket: aliceSocket, bob: bob, bobClient: bobClient) {
                proxy.blockWebSockets(cutExisting: true)
            }
            let fellBack = await eventually(timeout: .seconds(10)) { await bobClient.endpoint?.kind == .tunnel }
            #expect(fellBack, "Exercise 13.3: a cut WebSocket falls back to the tunnel")
            try await exchange(20, round: 4, alice: alice, aliceSocket: aliceSocket, bob: bob, bobClient: bobClient)

            let kinds = await bobClient.switches.map(\.endpoint.kind)
            #expect(kinds == [.tunnel, .webSocket, .tunnel], "the switches, in order; got \(kinds)")
            await bobClient.close()
            aliceSocket.close()
            await proxy.stop()
        }
    }

    @Test("endpoints are raced: one that never answers does not hold the client up")
    func racing() async throws {
        try await withTestServer { server in
            let bob = try await server.registerUser("bob")
            let blackHole = try await BlockingProxy.start(targetPort: server.port, mode: .stall)
            let direct = TransportEndpoint(.webSocket, server.baseURL)
            let client = IMAdaptiveClient(
                endpoints: [
                    TransportEndpoint(.webSocket, blackHole.baseURL), direct, TransportEndpoint(.tunnel, server.baseURL),
                ],
                token: bob.credentials.token, policy: Self.quickPolicy, attemptTimeout: .seconds(60))
            await client.start()
            // The first attempt would only fail after 60 s; the second starts 100 ms later and wins.
            #expect(
                await client.waitForConnection(timeout: .seconds(20)),
                "Exercise 13.3: connected without waiting for the black hole")
            #expect(await client.endpoint == direct, "the endpoint that answered is kept")
            #expect(await client.switches.count == 1, "one adoption, no flapping")
            await client.close()
            await blackHole.stop()
        }
    }

    /// Alice (WebSocket) and Bob (adaptive) each send `count` messages to the other at the same
    /// time; each must see every message of the other exactly once and in order.
    private func exchange(
        _ count: Int, round: Int, alice: TestUser, aliceSocket: IMWebSocketClient, bob: TestUser, bobClient: IMAdaptiveClient,
        meanwhile: @Sendable () -> Void = {}
    ) async throws {
        // Alice's socket has one reader: she sends without waiting, and reads acks and pushes alike.
        for index in 0..<count {
            aliceSocket.send(
                .send(
                    id: "a\(round)-\(index)",
                    SendRequest(to: bob.id, body: "a\(round)-\(index)", clientMsgID: "a\(round)-\(index)")))
        }
        meanwhile()
        async let bobSent: Void = {
            for index in 0..<count {
                _ = try await bobClient.send(to: alice.id, body: "b\(round)-\(index)", clientMsgID: "b\(round)-\(index)")
            }
        }()
        // Each side also sees its own messages (its timeline has both directions): keep the other's.
        async let bobGot: [String] = {
            var bodies: [String] = []
            while bodies.count < count {
                let message = try await bobClient.nextMessage(timeout: .seconds(20))
                if message.from == alice.id { bodies.append(message.body) }
            }
            return bodies
        }()
        var aliceGot: [String] = []
        var aliceAcks = 0
        while aliceGot.count < count || aliceAcks < count {
            switch try await aliceSocket.next(timeout: .seconds(20)) {
            case .ack: aliceAcks += 1
            case .push(_, let entry) where entry.message?.from == bob.id: aliceGot.append(entry.message?.body ?? "")
            case .error(_, let error): Issue.record("round \(round): alice's send failed: \(error)")
            default: break
            }
        }
        try await bobSent
        let expectedAtBob = (0..<count).map { "a\(round)-\($0)" }
        let expectedAtAlice = (0..<count).map { "b\(round)-\($0)" }
        #expect(try await bobGot == expectedAtBob, "round \(round): bob gets alice's messages once each, in order")
        #expect(aliceGot == expectedAtAlice, "round \(round): alice gets bob's messages once each, in order")
    }
}
