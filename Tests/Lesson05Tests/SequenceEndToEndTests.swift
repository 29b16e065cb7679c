// Lesson 05 tests, part 3: seq through the real server, across a restart of the server.

import IMClient
import IMComposition
import IMCore
import IMSequence
import IMServer
import IMSync
import IMTestSupport
import Testing

@Suite("05 Sequence end to end", .serialized)
struct SequenceEndToEndTests {
    @Test("messages are numbered per conversation and linked; a restart jumps forward, never back (05.1, 05.2)")
    func numberedAcrossRestart() async throws {
        try await withTemporaryDirectory { directory in
            var server = try await TestServer.start(dataDirectory: directory.path) { $0.sync.sequence = .init(step: 5) }
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            var sent: [Message] = []
            for index in 0..<3 { sent.append(try await alice.http.send(to: bob.id, body: "before \(index)")) }
            #expect(sent.map(\.seq) == [1, 2, 3], "Exercise 05.1: a new conversation counts 1, 2, 3")
            #expect(sent.map(\.prevSeq) == [0, 1, 2], "each message links to the one before")
            await server.stop()

            server = try await TestServer.start(dataDirectory: directory.path) { $0.sync.sequence = .init(step: 5) }
            let relogged = try await server.login(alice, deviceID: "again")
            let after = try await relogged.http.send(to: bob.id, body: "after restart")
            let seq = try #require(after.seq)
            #expect(
                seq > 3 && seq <= 3 + 5 + 1, "Exercise 05.2: after a restart the seq jumps ahead by at most a step; got \(seq)")
            #expect(after.prevSeq == 3, "the link still points at the last stored message, so no false gap")

            // A client that missed messages pulls the range by seq.
            let bobAgain = try await server.login(bob, deviceID: "pull")
            let pulled = try await bobAgain.http.messages(in: bob.conversation(with: alice), afterSeq: 1, throughSeq: seq)
            #expect(pulled.map(\.seq) == [2, 3, seq], "the gap (1, \(seq)] comes back in seq order")
            await server.stop()
        }
    }
}
