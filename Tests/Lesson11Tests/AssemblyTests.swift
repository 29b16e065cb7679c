// Lesson 11 tests: the composed server, end to end — wiring, front door, restart, graceful shutdown.

import Foundation
import GRDB
import IMClient
import IMCore
import IMGateway
import IMServer
import IMTestSupport
import Testing

@Suite("11 The IM assembled", .serialized)
struct AssemblyTests {
    @Test("11.1 the parts are wired: durable SQLite file, numbered messages, ACKed pushes, timelines")
    func wiring() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let bobSocket = try await server.connect(bob)
            let sent = try await alice.http.send(to: bob.id, body: "wired?", clientMsgID: "w1")
            #expect(sent.seq == 1, "Exercise 11.1: messages are numbered, so ChatService stores through SyncStore")
            guard case .push(let pushID, let entry) = try await bobSocket.next() else {
                Issue.record("Exercise 11.1: bob's socket should get a push")
                return
            }
            #expect(pushID != nil, "Exercise 11.1: pushes carry ids, so the gateway was given AckedPushTracking")
            #expect(entry.message == sent && entry.version > 0, "Exercise 11.1: the push is bob's timeline entry")
            let page = try await bob.http.sync(after: 0)
            #expect(page.entries.compactMap(\.message) == [sent], "Exercise 11.1: ChatService has the timeline store")

            let path = server.server.configuration.databasePath
            #expect(FileManager.default.fileExists(atPath: path), "Exercise 11.1: the store lives at configuration.databasePath")
            let queue = try DatabaseQueue(path: path)
            let stored = try await queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM message") }
            #expect(stored == 1, "Exercise 11.1: the message is in that SQLite file")
            bobSocket.close()
        }
    }

    @Test("one front door: health, API, WebSocket and the web client on one port")
    func frontDoor() async throws {
        try await withTestServer { server in
            let client = server.client()
            #expect(try await client.raw("GET", "/health").status == 200, "/health answers 200")
            let page = try await client.raw("GET", "/")
            #expect(page.status == 200 && page.text.contains("<html"), "/ serves the web client's index.html")
            #expect(try await client.raw("GET", "/app.js").status == 200, "the web client's scripts are served")
            #expect(try await client.raw("GET", "/api/v1/me").status == 401, "the API is mounted (and guarded)")
            #expect(try await client.raw("GET", "/no-such-page").status == 404, "unknown paths are 404")
            let user = try await server.registerUser("door")
            let socket = try await server.connect(user)
            #expect(socket.hello.user.id == user.id, "/ws upgrades on the same port")
            socket.close()
        }
    }

    @Test("11.1 a restart on the same data folder keeps accounts, sessions, messages, numbering and badges")
    func restartKeepsEverything() async throws {
        try await withTemporaryDirectory { directory in
            let first = try await TestServer.start(dataDirectory: directory.path)
            let alice = try await first.registerUser("alice")
            let bob = try await first.registerUser("bob")
            let one = try await alice.http.send(to: bob.id, body: "before the restart", clientMsgID: "r1")
            let two = try await alice.http.send(to: bob.id, body: "just before the restart", clientMsgID: "r2")
            #expect(await first.stop(), "the first server stops gracefully")

            let second = try await TestServer.start(dataDirectory: directory.path)
            do {
                // The tokens issued by the first server: its sessions and signing key are in the data folder.
                let aliceAgain = second.client().authenticated(alice.credentials)
                let bobAgain = second.client().authenticated(bob.credentials)
                try #require(
                    (try? await bobAgain.me())?.id == bob.id,
                    "Exercise 11.1: the store lives at configuration.databasePath, so a session (and its token) survives a restart"
                )
                let history = try await bobAgain.history(of: alice.conversation(with: bob))
                #expect(
                    Set(history.messages.map(\.id)) == [one.id, two.id],
                    "Exercise 11.1: the messages acknowledged before the restart are all there after it")

                let retried = try await aliceAgain.send(to: bob.id, body: "just before the restart", clientMsgID: "r2")
                #expect(retried.id == two.id, "a retry after the restart is known by its client message id, not stored again")
                let three = try await aliceAgain.send(to: bob.id, body: "after the restart", clientMsgID: "r3")
                let (seqTwo, seqThree) = (try #require(two.seq), try #require(three.seq))
                #expect(
                    seqThree > seqTwo && three.prevSeq == seqTwo,
                    "numbering goes on after the restart (\(seqTwo) then \(seqThree)) and links to the message before")
                #expect(
                    try await bobAgain.contacts().totalUnread == 3,
                    "bob's badge counts the two messages from before the restart and the one after")
                let socket = try await second.connect(bob)
                #expect(socket.hello.user.id == bob.id, "the old token opens a WebSocket on the restarted server")
                socket.close()
            } catch {
                await second.stop()
                throw error
            }
            await second.stop()
        }
    }

    @Test("11.3 a graceful shutdown closes live WebSockets, answers parked long polls, and ends promptly")
    func gracefulShutdownDrains() async throws {
        try await withTemporaryDirectory { directory in
            let server = try await TestServer.start(dataDirectory: directory.path)
            let alice = try await server.registerUser("alice")
            let socket = try await server.connect(alice)
            let parked = Task { try await alice.http.poll(after: .zero, wait: 30) }
            let isParked = await eventually { await server.server.gateway.longPolls.parkedCount() == 1 }
            if !isParked { Issue.record("the poll is not parked; it ended with \(String(describing: try? await parked.value))") }

            let began = ContinuousClock.now
            let graceful = await server.stop()
            #expect(graceful, "Exercise 11.3: the service group stops gracefully within 5 s")
            #expect(
                await eventually(timeout: .seconds(3)) { await socket.isClosed() },
                "Exercise 11.3: the drainer closes live WebSockets at shutdown, so clients reconnect at once")
            let answer = try? await parked.value
            #expect(answer?.messages.isEmpty == true, "Exercise 11.3: a parked long poll is answered (empty), not cut off")
            #expect(ContinuousClock.now - began < .seconds(5), "Exercise 11.3: nothing waits for its 30 s time-out")
        }
    }
}
