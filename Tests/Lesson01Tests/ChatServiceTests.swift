// Lesson 01 tests: the logic layer (exercise 01.2) through the in-memory relay (exercise 01.3).

import CourseSupport
import IMCore
import Testing

/// A logic layer on the in-memory store and relay, with alice and bob registered.
struct ChatFixture {
    let store = InMemoryStore()
    let relay = InMemoryRelay()
    let chat: ChatService
    let alice: User
    let bob: User

    init() async throws {
        chat = ChatService(messages: store, accounts: store, pusher: relay, now: { 1_000 })
        alice = try await store.createAccount(username: "alice", displayName: "Alice", passwordHash: "x")
        bob = try await store.createAccount(username: "bob", displayName: "Bob", passwordHash: "x")
    }
}

/// Reads what a subscriber has received so far, waiting briefly for stragglers.
func received(_ stream: AsyncStream<Message>, count: Int) async -> [Message] {
    await withTaskGroup(of: [Message].self) { group in
        group.addTask {
            var messages: [Message] = []
            for await message in stream {
                messages.append(message)
                if messages.count == count { break }
            }
            return messages
        }
        group.addTask {
            try? await Task.sleep(for: .milliseconds(200))
            return []
        }
        let first = await group.next() ?? []
        group.cancelAll()
        return first
    }
}

@Suite("01.2 Chat service: validate, store, then push")
struct ChatServiceTests {
    @Test("a message is stored, acknowledged and pushed to the recipient (01.3)")
    func sendStoresAndPushes() async throws {
        let fixture = try await ChatFixture()
        let (_, bobInbox) = await fixture.relay.subscribe(as: fixture.bob.id)
        let message = try await fixture.chat.send(
            SendRequest(to: fixture.bob.id, body: "hi bob", clientMsgID: "c1"), from: fixture.alice.id)
        #expect(message.from == fixture.alice.id && message.to == fixture.bob.id, "Exercise 01.2: sender and recipient")
        #expect(message.body == "hi bob" && message.clientMsgID == "c1", "Exercise 01.2: body and client id kept")
        let history = try await fixture.chat.history(of: message.conversationID, for: fixture.bob.id, before: nil, limit: nil)
        #expect(history.messages == [message], "Exercise 01.2: the message must be stored before it is acknowledged")
        let pushed = await received(bobInbox, count: 1)
        #expect(pushed == [message], "Exercise 01.2: the stored message must be pushed to the recipient")
    }

    @Test("bad or forged requests are refused and change nothing")
    func refusals() async throws {
        let fixture = try await ChatFixture()
        let chat = fixture.chat
        let cases: [(SendRequest, ErrorCode, String)] = [
            (SendRequest(to: fixture.bob.id, body: "x", from: fixture.bob.id), .forbidden, "sending as another user"),
            (SendRequest(to: fixture.bob.id, body: "   "), .invalidArgument, "an empty body"),
            (
                SendRequest(to: fixture.bob.id, body: String(repeating: "x", count: 4_001)), .invalidArgument,
                "a body over the limit"
            ),
            (
                SendRequest(to: fixture.bob.id, body: "x", clientMsgID: String(repeating: "c", count: 65)), .invalidArgument,
                "a client id over 64 bytes"
            ),
            (SendRequest(to: UserID(999), body: "x"), .notFound, "an unknown recipient"),
        ]
        for (request, code, what) in cases {
            do {
                _ = try await chat.send(request, from: fixture.alice.id)
                Issue.record("Exercise 01.2: \(what) must be refused with \(code.rawValue)")
            } catch let error as IMError {
                #expect(error.code == code, "Exercise 01.2: \(what) must be refused with \(code.rawValue), got \(error)")
            }
        }
        let stored = await fixture.store.messages(for: fixture.alice.id, after: .zero, limit: 100)
        #expect(stored.isEmpty, "Exercise 01.2: a refused request must store nothing")
    }

    @Test("only members read a conversation")
    func historyNeedsMembership() async throws {
        let fixture = try await ChatFixture()
        let carol = try await fixture.store.createAccount(username: "carol", displayName: "Carol", passwordHash: "x")
        let conversation = ConversationID.direct(fixture.alice.id, fixture.bob.id)
        await #expect(throws: IMError.forbidden("you are not a member of conversation \(conversation)")) {
            _ = try await fixture.chat.history(of: conversation, for: carol.id, before: nil, limit: nil)
        }
        await #expect(throws: IMError.self) { _ = try await fixture.chat.markRead(conversation, by: carol.id) }
    }

    @Test("contacts count unread until read")
    func contactsAndUnread() async throws {
        let fixture = try await ChatFixture()
        for index in 1...3 {
            _ = try await fixture.chat.send(SendRequest(to: fixture.bob.id, body: "m\(index)"), from: fixture.alice.id)
        }
        let (contacts, total) = try await fixture.chat.contacts(of: fixture.bob.id)
        #expect(contacts.count == 1 && contacts.first?.peer == fixture.alice, "Exercise 01.2: one contact row for alice")
        #expect(contacts.first?.unread == 3 && total == 3, "Exercise 01.2: three unread")
        #expect(contacts.first?.lastMessage.body == "m3")
        let receipt = try await fixture.chat.markRead(.direct(fixture.alice.id, fixture.bob.id), by: fixture.bob.id)
        #expect(receipt.totalUnread == 0)
        #expect(try await fixture.chat.contacts(of: fixture.bob.id).totalUnread == 0)
    }
}

@Suite("01.3 In-memory relay")
struct InMemoryRelayTests {
    @Test("every device of the recipient and the sender's other devices get the push; the origin does not")
    func fanOut() async throws {
        let fixture = try await ChatFixture()
        let relay = fixture.relay
        let (_, bobPhone) = await relay.subscribe(as: fixture.bob.id)
        let (_, bobLaptop) = await relay.subscribe(as: fixture.bob.id)
        let (aliceOrigin, aliceSending) = await relay.subscribe(as: fixture.alice.id)
        let (_, aliceTablet) = await relay.subscribe(as: fixture.alice.id)

        let message = try await fixture.chat.send(
            SendRequest(to: fixture.bob.id, body: "to all"), from: fixture.alice.id, origin: aliceOrigin)
        #expect(await received(bobPhone, count: 1) == [message], "Exercise 01.3: the recipient's first connection gets the push")
        #expect(
            await received(bobLaptop, count: 1) == [message], "Exercise 01.3: the recipient's second connection gets the push")
        #expect(await received(aliceTablet, count: 1) == [message], "Exercise 01.3: the sender's other connection gets the push")
        #expect(await received(aliceSending, count: 1).isEmpty, "Exercise 01.3: the origin connection gets an ack, not a push")
    }

    @Test("an unsubscribed client gets nothing")
    func unsubscribe() async throws {
        let fixture = try await ChatFixture()
        let (connection, stream) = await fixture.relay.subscribe(as: fixture.bob.id)
        await fixture.relay.unsubscribe(connection, of: fixture.bob.id)
        #expect(await fixture.relay.connectionCount(of: fixture.bob.id) == 0)
        _ = try await fixture.chat.send(SendRequest(to: fixture.bob.id, body: "late"), from: fixture.alice.id)
        #expect(await received(stream, count: 1).isEmpty)
    }
}
