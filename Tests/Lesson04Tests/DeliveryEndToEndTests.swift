// Lesson 04 tests, part 2: ACKs through a real server on loopback, with real WebSocket clients.

import IMClient
import IMComposition
import IMCore
import IMDelivery
import IMServer
import IMTestSupport
import NIOWebSocket
import Testing

@Suite("04 ACK end to end", .serialized)
struct DeliveryEndToEndTests {
    /// Short timings so a test takes about a second; the defaults are 5 s and 2 × 2 s.
    static func quickRetries(_ configuration: inout ComposedServerConfiguration) {
        configuration.pushRetry = RetryPolicy(
            firstCheck: .milliseconds(300), retryInterval: .milliseconds(200), maxRetries: 2)
    }

    @Test("a client that never ACKs gets the same push id again, twice, then its connection is closed (04.2)")
    func withheldAcksArePushedAgainThenGivenUp() async throws {
        try await withTestServer(configure: Self.quickRetries) { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let silentBob = try await IMWebSocketClient.connect(
                baseURL: server.baseURL, token: bob.credentials.token, acknowledgePushes: false)

            let sent = try await alice.http.send(to: bob.id, body: "are you there?", clientMsgID: "m1")
            var pushIDs: [UInt64] = []
            for _ in 0..<3 {
                guard case .push(let pushID?, let entry) = try await silentBob.next(timeout: .seconds(5)) else {
                    Issue.record("Exercise 04.2: expected a push with an id")
                    return
                }
                #expect(entry.message == sent, "the push carries the stored message")
                pushIDs.append(pushID)
            }
            #expect(Set(pushIDs).count == 1, "Exercise 04.2: a re-push keeps its push id; got \(pushIDs)")
            #expect(
                await eventually(timeout: .seconds(5)) { await silentBob.isClosed() },
                "Exercise 04.2: after 2 re-pushes the server gives the connection up")
            #expect(await silentBob.closeCode() == .policyViolation, "the close says why (1008)")

            // Nothing is lost: the device reconnects and syncs from its last version (0 here).
            let page = try await bob.http.sync(after: 0)
            #expect(page.entries.compactMap(\.message) == [sent], "the message waits in the timeline for the next sync")
        }
    }

    @Test("a client that ACKs gets each push once")
    func acknowledgedPushesAreNotRepeated() async throws {
        try await withTestServer(configure: Self.quickRetries) { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let bobSocket = try await server.connect(bob)
            let sent = try await alice.http.send(to: bob.id, body: "once", clientMsgID: "m1")
            #expect(try await bobSocket.nextPushedMessage() == sent)
            // Well past the first check and both retries: no repeat may arrive.
            try await Task.sleep(for: .milliseconds(1_000))
            let extra = await bobSocket.buffered()
            #expect(extra.isEmpty, "an acknowledged push leaves the window and is not repeated; got \(extra)")
            #expect(await !bobSocket.isClosed(), "a client that ACKs keeps its connection")
        }
    }

    @Test("04.2 one pushAck with upTo settles a burst: the pushes up to it are not repeated, the one after it is re-pushed")
    func cumulativePushAck() async throws {
        // Timings with room to spare: the ACKs must reach the server before the first check.
        try await withTestServer(configure: {
            $0.pushRetry = RetryPolicy(firstCheck: .seconds(2), retryInterval: .seconds(1), maxRetries: 2)
        }) { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let manualBob = try await IMWebSocketClient.connect(
                baseURL: server.baseURL, token: bob.credentials.token, acknowledgePushes: false)
            var pushIDs: [UInt64] = []
            for index in 1...3 {
                _ = try await alice.http.send(to: bob.id, body: "m\(index)", clientMsgID: "m\(index)")
                guard case .push(let pushID?, _) = try await manualBob.next(timeout: .seconds(5)) else {
                    Issue.record("expected push \(index) with an id")
                    return
                }
                pushIDs.append(pushID)
            }
            manualBob.send(.pushAcks(upTo: pushIDs[1]))
            // The first check (2 s) re-pushes only what the cumulative ACK left out.
            guard case .push(let repeated?, let entry) = try await manualBob.next(timeout: .seconds(5)) else {
                Issue.record("expected the third push again")
                return
            }
            #expect(
                repeated == pushIDs[2] && entry.message?.body == "m3", "only the push above upTo is repeated; got \(repeated)")
            manualBob.send(.pushAcks(upTo: repeated))
            try await Task.sleep(for: .milliseconds(2_500))  // past the next retry (1 s) and more
            #expect(await manualBob.buffered().isEmpty, "after the second cumulative ACK nothing is repeated")
            #expect(await !manualBob.isClosed(), "a client whose cumulative ACKs cover its pushes keeps its connection")
        }
    }

    @Test("a burst of pushes is acknowledged by the client library's coalesced ACKs: none is repeated")
    func coalescedAcksCoverABurst() async throws {
        try await withTestServer(configure: Self.quickRetries) { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let bobSocket = try await server.connect(bob)
            let aliceSocket = try await server.connect(alice)
            for index in 1...40 {
                aliceSocket.send(.send(id: "s\(index)", SendRequest(to: bob.id, body: "b\(index)", clientMsgID: "b\(index)")))
            }
            var bodies: [String] = []
            while bodies.count < 40 { bodies.append(try await bobSocket.nextPushedMessage().body) }
            #expect(Set(bodies).count == 40, "every message of the burst arrives once")
            try await Task.sleep(for: .milliseconds(1_000))
            let extra = await bobSocket.buffered()
            #expect(extra.isEmpty, "the coalesced ACKs covered every push: none was repeated; got \(extra.count) frames")
            #expect(await !bobSocket.isClosed(), "the connection stays open")
        }
    }

    @Test("a retried send with the same clientMsgID is stored once and answered with the same ACK")
    func retriedSendIsStoredOnce() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let bobSocket = try await server.connect(bob)
            let aliceSocket = try await server.connect(alice)

            let first = try await aliceSocket.sendMessage(to: bob.id, body: "pay 10", clientMsgID: "pay-1", requestID: "a")
            // The ACK was "lost": the client retries over WebSocket, then over HTTP.
            let second = try await aliceSocket.sendMessage(to: bob.id, body: "pay 10", clientMsgID: "pay-1", requestID: "b")
            let third = try await alice.http.send(to: bob.id, body: "pay 10", clientMsgID: "pay-1")
            #expect(first == second && second == third, "Exercise 04.1: every retry is answered with the message first stored")
            #expect(first.seq != nil, "the ACK carries the message's seq")

            let history = try await bob.http.history(of: bob.conversation(with: alice))
            #expect(history.messages.map(\.id) == [first.id], "Exercise 04.1: the message is stored once")
            #expect(try await bobSocket.nextPushedMessage() == first, "Exercise 04.1: bob is pushed the message first stored")
            try await Task.sleep(for: .milliseconds(200))
            #expect(await bobSocket.buffered().isEmpty, "Exercise 04.1: the recipient gets one push, not one per retry")
            let contacts = try await bob.http.contacts()
            #expect(contacts.totalUnread == 1, "Exercise 04.1: and counts it unread once")
        }
    }
}
