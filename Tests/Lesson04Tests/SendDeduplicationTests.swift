// Lesson 04 tests: a retried send is found inside the send transaction, on a real SQLite file.

import GRDB
import IMCore
import IMDelivery
import IMStore
import IMTestSupport
import Testing

@Suite("04.1 Send de-duplication")
struct SendDeduplicationTests {
    @Test("a retry finds the message its sender stored under the same clientMsgID, from any device; nothing else matches")
    func findsTheStoredMessage() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(path: directory.file("dedup.sqlite"))
            let alice = try await store.createAccount(username: "alice", displayName: "Alice", passwordHash: "x")
            let bob = try await store.createAccount(username: "bob", displayName: "Bob", passwordHash: "x")
            let stored = try await store.append(
                OutgoingMessage(from: alice.id, to: bob.id, clientMsgID: "pay-1", body: "pay 10"), sentAt: 1_000)
            _ = try await store.append(
                OutgoingMessage(from: alice.id, to: bob.id, clientMsgID: nil, body: "no id"), sentAt: 1_001)

            func lookup(_ sender: UserID, _ clientMsgID: String?) async throws -> Message? {
                try await store.database.read { try SendDeduplication.storedMessage(from: sender, clientMsgID: clientMsgID, $0) }
            }
            let retry = try await lookup(alice.id, "pay-1")
            #expect(
                retry == stored,
                "Exercise 04.1: a retry with alice's clientMsgID must find the message stored first (same id and time); got \(String(describing: retry))"
            )
            #expect(
                try await lookup(bob.id, "pay-1") == nil,
                "Exercise 04.1: the key is (sender, clientMsgID): bob's send with the same id is another message")
            #expect(try await lookup(alice.id, "pay-2") == nil, "Exercise 04.1: a new clientMsgID matches nothing")
            #expect(try await lookup(alice.id, nil) == nil, "Exercise 04.1: a send without a clientMsgID cannot be matched")
        }
    }
}
