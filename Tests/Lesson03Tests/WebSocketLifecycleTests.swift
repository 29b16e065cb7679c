// Lesson 03 tests, part 3: the WebSocket's life outside Hummingbird's per-connection task —
// the upgrade check, answers in order under a burst, and a graceful stop nobody can hold up.

import Foundation
import IMClient
import IMComposition
import IMCore
import IMGateway
import IMServer
import IMTestSupport
import Testing

@Suite("03 WebSocket lifecycle")
struct WebSocketLifecycleTests {
    @Test("a refused upgrade gets an HTTP error in the gateway's error shape and no WebSocket")
    func refusedUpgrades() async throws {
        try await withTestServer { server in
            let forged = try #require(
                try await plainExchange(
                    port: server.port, sending: webSocketUpgradeRequest(path: "/ws?token=forged"), timeout: .seconds(5)),
                "the server closes a refused upgrade")
            let forgedText = String(decoding: forged, as: UTF8.self)
            #expect(forgedText.hasPrefix("HTTP/1.1 401"), "a bad token: 401, got \(forgedText.prefix(40))")
            #expect(forgedText.contains(#""code":"unauthorized""#), "in the error shape: \(forgedText)")

            let user = try await server.registerUser("alice")
            let wrongPath = try #require(
                try await plainExchange(
                    port: server.port,
                    sending: webSocketUpgradeRequest(path: "/api/v1/me?token=\(user.credentials.token)"),
                    timeout: .seconds(5)))
            let wrongPathText = String(decoding: wrongPath, as: UTF8.self)
            // No upgrade outside /ws (the API answers as HTTP: 404 for an upgrade, or 401 since it never takes ?token=).
            #expect(
                wrongPathText.hasPrefix("HTTP/1.1 404") || wrongPathText.hasPrefix("HTTP/1.1 401"),
                "no WebSocket outside /ws: \(wrongPathText.prefix(40))")
            #expect(await server.server.gateway.registry.counts().connections == 0, "nobody was registered")
        }
    }

    @Test("a burst of requests sent without waiting is answered completely and in order")
    func burstIsAnsweredInOrder() async throws {
        // 300 sends from one user at once: lesson 12's send limit (burst 100) is lifted, as this
        // test is about the connection's own back pressure.
        try await withTestServer(configure: { $0.liftSendLimit() }) { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let socket = try await server.connect(alice)
            // Far more than the connection queues before it stops reading its socket (64).
            let count = 300
            for index in 0..<count {
                if index % 3 == 2 {
                    socket.send(.ping(id: "p\(index)"))
                } else {
                    socket.send(.send(id: "s\(index)", SendRequest(to: bob.id, body: "m\(index)", clientMsgID: "c\(index)")))
                }
            }
            var refs: [String] = []
            while refs.count < count {
                switch try await socket.next() {
                case .ack(let ref, _), .pong(let ref): refs.append(ref ?? "?")
                case .push, .hello: continue
                case let other:
                    Issue.record("unexpected frame \(other)")
                    return
                }
            }
            let expected = (0..<count).map { $0 % 3 == 2 ? "p\($0)" : "s\($0)" }
            #expect(refs == expected, "every request answered once, in the order sent")
            let stored = try await bob.http.poll(after: .zero).messages.map(\.body)
            #expect(stored == (0..<count).filter { $0 % 3 != 2 }.map { "m\($0)" }, "stored in the order sent")
        }
    }

    @Test("a connection that never sends a request does not hold up a graceful stop")
    func silentConnectionDoesNotHoldUpShutdown() async throws {
        let directory = try TemporaryDirectory()
        let server = try await TestServer.start(dataDirectory: directory.path)
        let alice = try await server.registerUser("alice")
        let socket = try await server.connect(alice)
        // Accepted, but not one byte sent: no HTTP handler has seen it yet.
        let silent = Task { try await plainExchange(port: server.port, sending: "", timeout: .seconds(20)) }
        try await Task.sleep(for: .milliseconds(200))
        let started = ContinuousClock.now
        #expect(await server.stop(), "the server stopped gracefully within 5 s")
        #expect(ContinuousClock.now - started < .seconds(4), "and without waiting for the silent connection")
        #expect(try await silent.value != nil, "the silent connection was closed by the server")
        #expect(await eventually { await socket.isClosed() }, "the WebSocket was closed too")
    }
}

@Suite("03 WebSocket slow consumer")
struct SlowConsumerTests {
    @Test("a client that stops reading is closed once too many bytes wait for it; the sender is unaffected (03.1, 03.2)")
    func nonReadingClientIsClosed() async throws {
        // Up to 1,000 sends from one user: lesson 12's send limit is lifted (not what is tested here).
        try await withTestServer(configure: {
            $0.gateway.maxPendingOutboundBytes = 64 * 1024
            $0.liftSendLimit()
        }) { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let frozen = try await NonReadingWebSocket.connect(port: server.port, token: bob.credentials.token)
            #expect(await eventually { await server.server.gateway.registry.connections(of: bob.id).count == 1 })
            let socket = try await server.connect(alice)
            // About 12 KB per push (3-byte characters): enough to fill the kernel's buffers and then ours.
            let body = String(repeating: "中", count: 4_000)
            var sent = 0
            while sent < 1_000, await !server.server.gateway.registry.connections(of: bob.id).isEmpty {
                for index in sent..<(sent + 20) {
                    socket.send(.send(id: "s\(index)", SendRequest(to: bob.id, body: body, clientMsgID: "c\(index)")))
                }
                sent += 20
                for _ in 0..<20 {
                    while true {
                        if case .ack = try await socket.next() { break }
                    }
                }
            }
            #expect(
                await server.server.gateway.registry.connections(of: bob.id).isEmpty,
                "the non-reading connection left the session map after \(sent) messages")
            #expect(sent < 1_000, "it was closed long before 1,000 messages of 12 KB")
            socket.send(.ping(id: "alive"))
            while true {
                if case .pong(let ref) = try await socket.next() {
                    #expect(ref == "alive", "the sender's own connection still works")
                    break
                }
            }
            var stored = 0
            var cursor = MessageID.zero
            while true {
                let page = try await bob.http.poll(after: cursor).messages
                guard let last = page.last else { break }
                stored += page.count
                cursor = last.id
            }
            #expect(stored == sent, "every message is stored for bob: \(stored) of \(sent)")
            await frozen.close()
        }
    }
}
