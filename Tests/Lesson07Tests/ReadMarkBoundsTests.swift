// Lesson 07 tests: a read mark names a conversation that exists, in its one canonical spelling;
// anything else is refused and changes nothing (no timeline entry, no push, no badge change).

import IMClient
import IMCore
import IMTestSupport
import Testing

@Suite("07 Read marks for conversations that do not exist", .serialized)
struct ReadMarkBoundsTests {
    @Test("a read mark for a missing user's conversation is 404, a non-canonical id 400, and neither changes anything")
    func refusedReadMarks() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            _ = try await alice.http.send(to: bob.id, body: "one unread")
            let before = try await bob.http.sync(after: 0)
            let me = bob.id.rawValue
            let peer = alice.id.rawValue
            let (low, high) = (min(me, peer), max(me, peer))
            let refused: [(String, Int, String)] = [
                ("d:\(me):999999999", 404, "not_found"),
                ("d:0\(low):\(high)", 400, "invalid_argument"),
                ("d:+\(low):\(high)", 400, "invalid_argument"),
                ("d:\(low):0\(high)", 400, "invalid_argument"),
            ]
            let client = IMHTTPClient(baseURL: server.baseURL, token: bob.credentials.token)
            for (id, status, code) in refused {
                let answer = try await client.raw("POST", "/api/v1/conversations/\(id)/read")
                #expect(
                    answer.status == status && answer.text.contains(code),
                    "read mark for \(id): got \(answer.status) \(answer.text)")
            }
            let after = try await bob.http.sync(after: 0)
            #expect(after.entries == before.entries, "refused read marks add nothing to bob's timeline")
            #expect(try await bob.http.contacts().totalUnread == 1, "and clear nothing")
        }
    }

    @Test(
        "a receipt's readSeq is the read watermark: a late, lower read mark and one beyond the last message do not move it wrongly"
    )
    func readSeqNeverGoesBack() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            var seqs: [Int64] = []
            for index in 0..<3 { seqs.append(try #require(try await alice.http.send(to: bob.id, body: "m\(index)").seq)) }
            let conversation = bob.conversation(with: alice)
            let upToSecond = try await bob.http.markRead(conversation, upToSeq: seqs[1])
            #expect(upToSecond.readSeq == seqs[1] && upToSecond.unread == 1)
            let late = try await bob.http.markRead(conversation, upToSeq: seqs[0])
            #expect(late.readSeq == seqs[1], "a late read mark with a lower seq leaves the watermark; got \(late)")
            #expect(late.unread == 1, "and clears nothing more")
            let beyond = try await bob.http.markRead(conversation, upToSeq: seqs[2] + 1_000)
            #expect(beyond.readSeq == seqs[2], "a read mark beyond the last message stops at the last message; got \(beyond)")
            let next = try #require(try await alice.http.send(to: bob.id, body: "after").seq)
            #expect(try await bob.http.contacts().totalUnread == 1, "a message sent after that is unread (seq \(next))")
        }
    }
}
