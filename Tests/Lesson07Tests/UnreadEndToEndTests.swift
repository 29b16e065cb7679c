// Lesson 07 tests, part 2: unread counts through the real server.

import IMClient
import IMCore
import IMTestSupport
import Testing

@Suite("07 Unread end to end", .serialized)
struct UnreadEndToEndTests {
    @Test("badges and total agree; a read mark keeps what arrived after it")
    func readUpToSeq() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let carol = try await server.registerUser("carol")
            let bob = try await server.registerUser("bob")
            var fromAlice: [Message] = []
            for index in 0..<3 { fromAlice.append(try await alice.http.send(to: bob.id, body: "a\(index)")) }
            _ = try await carol.http.send(to: bob.id, body: "c")

            var contacts = try await bob.http.contacts()
            #expect(contacts.totalUnread == 4 && contacts.contacts.map(\.unread).reduce(0, +) == 4)

            // Bob has seen alice's first two messages when he marks the conversation read.
            let receipt = try await bob.http.markRead(bob.conversation(with: alice), upToSeq: fromAlice[1].seq)
            #expect(receipt.unread == 1, "the third message arrived after what bob saw: still unread")
            #expect(receipt.totalUnread == 2)
            contacts = try await bob.http.contacts()
            let byConversation = Dictionary(uniqueKeysWithValues: contacts.contacts.map { ($0.conversationID, $0.unread) })
            #expect(byConversation[bob.conversation(with: alice)] == 1 && byConversation[bob.conversation(with: carol)] == 1)
            #expect(contacts.totalUnread == 2)
        }
    }
}
