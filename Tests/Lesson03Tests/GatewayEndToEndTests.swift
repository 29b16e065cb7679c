// Lesson 03 tests: a real server on loopback, a real SQLite file, real HTTP and WebSocket clients.

import Foundation
import IMClient
import IMCore
import IMGateway
import IMServer
import IMTestSupport
import NIOWebSocket
import Testing

/// Expects `body` to fail with the server error `code`.
func expectServerError(
    _ code: ErrorCode, _ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("\(what): expected \(code.rawValue), but it succeeded", sourceLocation: sourceLocation)
    } catch let error as IMClientError {
        #expect(error.code == code, "\(what): expected \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("\(what): expected \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("03 Gateway end to end", .serialized)
struct GatewayEndToEndTests {
    @Test("two users chat over WebSocket; the sender's other device sees its own message (03.1)")
    func webSocketChat() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let aliceLaptop = try await server.login(alice, deviceID: "laptop")
            let aliceSocket = try await server.connect(alice)
            let aliceLaptopSocket = try await server.connect(aliceLaptop)
            let bobSocket = try await server.connect(bob, tokenInQuery: true)
            #expect(bobSocket.hello.user.id == bob.id)

            let sent = try await aliceSocket.sendMessage(to: bob.id, body: "hello bob", clientMsgID: "c1", requestID: "r1")
            #expect(sent.clientMsgID == "c1" && sent.from == alice.id)
            #expect(
                try await bobSocket.nextPushedMessage() == sent, "Exercise 03.1: the recipient's live connection gets the push")
            #expect(
                try await aliceLaptopSocket.nextPushedMessage() == sent,
                "Exercise 03.1: the sender's other device gets the push")

            let reply = try await bobSocket.sendMessage(to: alice.id, body: "hi alice", requestID: "r2")
            #expect(try await aliceSocket.nextPushedMessage() == reply)

            bobSocket.send(.ping(id: "p"))
            #expect(try await bobSocket.next() == .pong(ref: "p"))
            bobSocket.send(.read(id: "rd", alice.conversation(with: bob)))
            let answer = try await bobSocket.next { frame in
                if case .read("rd", _) = frame { true } else { false }
            }
            guard case .read("rd", let receipt) = answer else {
                Issue.record("expected a read answer")
                return
            }
            #expect(receipt.totalUnread == 0)
            for socket in [aliceSocket, aliceLaptopSocket, bobSocket] { socket.close() }
        }
    }

    @Test("a third user on long polling gets the message as it arrives")
    func longPolling() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let carol = try await server.registerUser("carol")
            let empty = try await carol.http.poll(after: .zero)
            #expect(empty.messages.isEmpty && empty.cursor == .zero, "short poll with nothing returns at once")
            let start = ContinuousClock.now
            async let polled = carol.http.poll(after: .zero, wait: 20)
            // Let the poll park, then send.
            _ = await eventually { await server.server.gateway.longPolls.parkedCount() == 1 }
            let sent = try await alice.http.send(to: carol.id, body: "wake up")
            let result = try await polled
            #expect(result.messages == [sent], "Exercise 03.3: the long poll returns the new message")
            #expect(result.cursor == sent.id)
            #expect(ContinuousClock.now - start < .seconds(10), "Exercise 03.3: woken by the message, not the timeout")
            let next = try await carol.http.poll(after: result.cursor, wait: 1)
            #expect(next.messages.isEmpty, "a long poll with nothing new times out empty")
        }
    }

    @Test("history and contacts are intact after a restart on the same SQLite file")
    func restart() async throws {
        try await withTemporaryDirectory { directory in
            let first = try await TestServer.start(dataDirectory: directory.path)
            let alice = try await first.registerUser("alice")
            let bob = try await first.registerUser("bob")
            var sent: [Message] = []
            for index in 0..<5 { sent.append(try await alice.http.send(to: bob.id, body: "m\(index)")) }
            await first.stop()

            let second = try await TestServer.start(dataDirectory: directory.path)
            let bobAgain = second.client().authenticated(bob.credentials)
            let history = try await bobAgain.history(of: alice.conversation(with: bob))
            #expect(history.messages == sent, "every acknowledged message is there after the restart")
            let contacts = try await bobAgain.contacts()
            #expect(contacts.contacts.first?.unread == 5 && contacts.totalUnread == 5)
            #expect(contacts.contacts.first?.peer.id == alice.id)
            await second.stop()
        }
    }

    @Test("accounts: wrong password, taken username, bad username, logout")
    func accounts() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            await expectServerError(.unauthorized, "wrong password") {
                _ = try await server.client().login(username: alice.username, password: "wrong-password")
            }
            await expectServerError(.unauthorized, "unknown user") {
                _ = try await server.client().login(username: "nobody-here", password: "password123")
            }
            await expectServerError(.conflict, "taken username") {
                _ = try await server.client().register(username: alice.username, password: "password123")
            }
            await expectServerError(.invalidArgument, "bad username") {
                _ = try await server.client().register(username: "No Spaces!", password: "password123")
            }
            await expectServerError(.invalidArgument, "short password") {
                _ = try await server.client().register(username: uniqueUsername(), password: "short")
            }
            #expect(try await alice.http.me().id == alice.id)
            try await alice.http.logout()
            await expectServerError(.unauthorized, "a revoked token") { _ = try await alice.http.me() }
        }
    }

    @Test("bad input gets a clear error and changes nothing")
    func badInput() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let carol = try await server.registerUser("carol")
            _ = try await alice.http.send(to: bob.id, body: "before")

            let anonymous = server.client()
            let forged = IMHTTPClient(baseURL: server.baseURL, token: "forged-token-forged-token")
            await expectServerError(.unauthorized, "no token") { _ = try await anonymous.contacts() }
            await expectServerError(.unauthorized, "forged token") { _ = try await forged.contacts() }
            await expectServerError(.forbidden, "another user's conversation") {
                _ = try await carol.http.history(of: alice.conversation(with: bob))
            }
            await expectServerError(.forbidden, "marking another user's conversation read") {
                _ = try await carol.http.markRead(alice.conversation(with: bob))
            }
            await expectServerError(.notFound, "unknown recipient") {
                _ = try await alice.http.send(to: UserID(999_999), body: "x")
            }
            await expectServerError(.invalidArgument, "empty body") { _ = try await alice.http.send(to: bob.id, body: "  ") }

            let sendAsBob = try await alice.http.raw(
                "POST", "/api/v1/messages", body: Array(#"{"to":\#(carol.id),"from":\#(bob.id),"body":"forged"}"#.utf8))
            #expect(sendAsBob.status == 403 && sendAsBob.error?.code == .forbidden, "sending as another user")
            let malformed = try await alice.http.raw("POST", "/api/v1/messages", body: Array("{not json".utf8))
            #expect(malformed.status == 400 && malformed.error?.code == .badFrame, "malformed JSON: \(malformed.text)")
            let oversized = try await alice.http.raw(
                "POST", "/api/v1/messages",
                body: Array(#"{"to":\#(bob.id),"body":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 70_000)
                    + Array(#""}"#.utf8))
            #expect(oversized.status == 413 && oversized.error?.code == .frameTooLarge, "oversized body: \(oversized.status)")
            let badID = try await alice.http.raw("GET", "/api/v1/conversations/d:9:1/messages")
            #expect(badID.status == 400 && badID.error?.code == .invalidArgument)

            // Nothing changed: bob still has exactly one message, carol none.
            #expect(try await bob.http.poll(after: .zero).messages.count == 1)
            #expect(try await carol.http.poll(after: .zero).messages.isEmpty)
            #expect(try await carol.http.contacts().contacts.isEmpty)
        }
    }

    @Test("a malformed conversation id is invalid_argument over WebSocket (answering the frame's id) and over HTTP")
    func malformedConversationIDAgreesOnBothTransports() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let socket = try await server.connect(alice)
            for raw in ["d:9:1", "d:01:9", "x"] {
                socket.sendRaw(#"{"v":1,"type":"read","id":"bad-\#(raw)","data":{"conversationID":"\#(raw)"}}"#)
                guard case .error(let ref, let error) = try await socket.next() else {
                    Issue.record("expected an error frame for \(raw)")
                    continue
                }
                #expect(error.code == .invalidArgument, "WebSocket, \(raw): \(error)")
                #expect(ref == "bad-\(raw)", "the error answers the frame's id")
                let http = try await alice.http.raw("POST", "/api/v1/conversations/\(raw)/read", body: Array("{}".utf8))
                #expect(http.status == 400 && http.error?.code == .invalidArgument, "HTTP, \(raw): \(http.text)")
            }
            socket.close()
        }
    }

    @Test("a token is taken from the query only on the WebSocket upgrade, never on the HTTP API")
    func tokenInQueryOnlyForTheUpgrade() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let token = alice.credentials.token
            let client = server.client()
            let query = try await client.raw("GET", "/api/v1/me?token=\(token)")
            #expect(query.status == 401, "a token in the query of an API route must be refused; got \(query.status)")
            let header = try await client.raw("GET", "/api/v1/me", headers: [("Authorization", "Bearer \(token)")])
            #expect(header.status == 200, "the same token in the header is accepted")
            let socket = try await server.connect(alice, tokenInQuery: true)
            #expect(socket.hello.user.id == alice.id, "the upgrade still takes ?token= (browsers cannot set its headers)")
            socket.close()
        }
    }

    @Test("bad WebSocket input gets error frames; an oversized frame closes with 1009; a bad token gets no upgrade")
    func badWebSocketInput() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let socket = try await server.connect(alice)
            // Whenever the frame's `id` can be read, the error answers it (`ref`), so a client that
            // matches answers to requests is never left waiting.
            let cases: [(String, ErrorCode, String?)] = [
                ("{nope", .badFrame, nil), (#"{"v":9,"type":"ping"}"#, .unsupportedVersion, nil),
                (#"{"v":1,"type":"dance"}"#, .unknownType, nil),
                (#"{"v":1,"type":"send","id":"x","data":{"to":"bob"}}"#, .badFrame, "x"),
                (#"{"v":1,"type":"frobnicate","id":"u1"}"#, .unknownType, "u1"),
                (#"{"v":2,"type":"ping","id":"u2"}"#, .unsupportedVersion, "u2"),
                (#"{"type":"ping","id":"u3"}"#, .badFrame, "u3"),
                (#"{"v":1,"type":"send","id":"u4","data":{}}"#, .badFrame, "u4"),
                (#"{"v":1,"type":"sync","id":"u5"}"#, .badFrame, "u5"),
                (#"{"v":"1","type":"ping","id":"u6"}"#, .badFrame, "u6"),
                (#"{"v":1,"type":"ping","id":7}"#, .badFrame, nil),
            ]
            for (text, code, ref) in cases {
                socket.sendRaw(text)
                guard case .error(let answered, let error) = try await socket.next() else {
                    Issue.record("expected an error frame for \(text)")
                    continue
                }
                #expect(error.code == code, "\(text) → \(error)")
                #expect(answered == ref, "\(text) → the error's ref is \(answered ?? "nil"), expected \(ref ?? "nil")")
            }
            socket.send(.send(id: "s1", SendRequest(to: bob.id, body: "x", from: bob.id)))
            // The code and the ref are the contract; the sentence is lesson 01's (01.2) to word.
            let forged = try await socket.next()
            guard case .error("s1", let refusal) = forged, refusal.code == .forbidden else {
                Issue.record("a send as another user must get forbidden with ref s1; got \(forged)")
                return
            }
            // The connection survived all that.
            socket.send(.ping(id: "alive"))
            #expect(try await socket.next() == .pong(ref: "alive"))

            socket.sendRaw(#"{"v":1,"type":"send","data":{"to":1,"body":""# + String(repeating: "x", count: 70_000) + #""}}"#)
            guard case .error(_, let tooLarge) = try await socket.next() else {
                Issue.record("expected frame_too_large")
                return
            }
            #expect(tooLarge.code == .frameTooLarge)
            #expect(await eventually { await socket.isClosed() }, "the server closes after an oversized frame")
            #expect(await socket.closeCode() == .messageTooLarge)
            #expect(try await bob.http.poll(after: .zero).messages.isEmpty, "nothing was stored")

            await #expect(throws: (any Error).self, "a forged token gets no WebSocket") {
                _ = try await IMWebSocketClient.connect(baseURL: server.baseURL, token: "forged", timeout: .seconds(5))
            }
        }
    }

    @Test("the web client is served at /")
    func webClient() async throws {
        try await withTestServer { server in
            let page = try await server.client().raw("GET", "/")
            #expect(page.status == 200 && page.text.contains("<html"), "index.html at /")
            let health = try await server.client().raw("GET", "/health")
            #expect(health.status == 200 && health.text.contains("ok"))
        }
    }
}
