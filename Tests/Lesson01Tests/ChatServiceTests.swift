// Lesson 01 tests: the logic layer (exercise 01.2) through the in-memory store and relay (exercise 01.3).

import CourseSupport
import IMCore
import Synchronization
import Testing

/// A logic layer on the in-memory store and relay, with alice and bob registered.
struct ChatFixture {
    let store = InMemoryStore()
    let relay: InMemoryRelay
    let chat: ChatService
    let alice: User
    let bob: User

    init(bufferLimit: Int = 256) async throws {
        relay = InMemoryRelay(bufferLimit: bufferLimit)
        chat = ChatService(store: store, accounts: store, pusher: relay, now: { 1_000 })
        alice = try await store.createAccount(username: "alice", displayName: "Alice", passwordHash: "x")
        bob = try await store.createAccount(username: "bob", displayName: "Bob", passwordHash: "x")
    }
}

/// The next `count` entries a device receives, or as many as came within a second (a test that
/// expects fewer has failed; the stream is then cancelled, as a device that hung up).
func received(_ stream: AsyncStream<TimelineEntry>, count: Int) async -> [TimelineEntry] {
    let collected = EntryLog()
    await withTaskGroup(of: Void.self) { group in
        group.addTask {
            for await entry in stream {
                let done = collected.entries.withLock { entries -> Bool in
                    entries.append(entry)
                    return entries.count == count
                }
                if done { break }
            }
        }
        group.addTask { try? await Task.sleep(for: .seconds(1)) }
        await group.next()
        group.cancelAll()
    }
    return collected.entries.withLock { $0 }
}

/// What a reading task has collected so far.
final class EntryLog: Sendable {
    let entries = Mutex<[TimelineEntry]>([])
}

@Suite("01.2 Chat service: validate, store once, then push")
struct ChatServiceTests {
    @Test("a message is stored, acknowledged and pushed as a timeline entry to both members (01.2, 01.3)")
    func sendStoresAndPushes() async throws {
        let fixture = try await ChatFixture()
        let (_, bobInbox) = await fixture.relay.subscribe(as: fixture.bob.id)
        let (_, aliceDevice) = await fixture.relay.subscribe(as: fixture.alice.id)
        let message = try await fixture.chat.send(
            SendRequest(to: fixture.bob.id, body: "hi bob", clientMsgID: "c1"), from: fixture.alice.id)
        #expect(message.from == fixture.alice.id && message.to == fixture.bob.id, "Exercise 01.2: sender and recipient")
        #expect(message.body == "hi bob" && message.clientMsgID == "c1", "Exercise 01.2: body and client id kept")
        #expect(message.seq == 1, "Exercise 01.2: the message is numbered in its conversation by the store")
        let history = try await fixture.chat.history(of: message.conversationID, for: fixture.bob.id, before: nil, limit: nil)
        #expect(history.messages == [message], "Exercise 01.2: the message must be stored before it is acknowledged")
        let pushed = await received(bobInbox, count: 1)
        #expect(
            pushed.map(\.message) == [message] && pushed.first?.version == 1,
            "Exercise 01.2: the recipient's entry (version 1 of bob's timeline) must be pushed; got \(pushed)")
        #expect(
            await received(aliceDevice, count: 1).map(\.message) == [message],
            "Exercise 01.2: the sender's devices get their own entry too, so their timeline moves on")
    }

    @Test("a retried send is stored once, answered with the same message, and pushed once (01.2, 01.3)")
    func retryIsStoredOnce() async throws {
        let fixture = try await ChatFixture()
        let (_, bobInbox) = await fixture.relay.subscribe(as: fixture.bob.id)
        let request = SendRequest(to: fixture.bob.id, body: "once", clientMsgID: "retry-1")
        let first = try await fixture.chat.send(request, from: fixture.alice.id)
        let again = try await fixture.chat.send(request, from: fixture.alice.id)
        #expect(again == first, "Exercise 01.2: a retry (same clientMsgID) is answered with the message already stored")
        let next = try await fixture.chat.send(SendRequest(to: fixture.bob.id, body: "next"), from: fixture.alice.id)
        let stored = await fixture.store.messages(for: fixture.bob.id, after: .zero, limit: 10)
        #expect(stored == [first, next], "Exercise 01.2: a retry stores nothing new; stored \(stored.map(\.body))")
        let pushed = await received(bobInbox, count: 2).compactMap(\.message)
        #expect(
            pushed == [first, next],
            "Exercise 01.2: a retry pushes nothing (StoredMessage.isRepeat); bob got \(pushed.map(\.body))")
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
    @Test("every device of both members gets the entry once, also when a user writes to themself (01.3)")
    func fanOut() async throws {
        let fixture = try await ChatFixture()
        let relay = fixture.relay
        let (_, bobPhone) = await relay.subscribe(as: fixture.bob.id)
        let (_, bobLaptop) = await relay.subscribe(as: fixture.bob.id)
        let (_, alicePhone) = await relay.subscribe(as: fixture.alice.id)
        let (_, aliceTablet) = await relay.subscribe(as: fixture.alice.id)

        let message = try await fixture.chat.send(SendRequest(to: fixture.bob.id, body: "to all"), from: fixture.alice.id)
        let note = try await fixture.chat.send(SendRequest(to: fixture.alice.id, body: "note"), from: fixture.alice.id)
        let reply = try await fixture.chat.send(SendRequest(to: fixture.alice.id, body: "reply"), from: fixture.bob.id)
        // What each device must get, in order: a duplicate or a stray shows up before the last one.
        for (name, device, expected) in [
            ("bob's phone", bobPhone, [message, reply]), ("bob's laptop", bobLaptop, [message, reply]),
            ("alice's phone", alicePhone, [message, note, reply]), ("alice's tablet", aliceTablet, [message, note, reply]),
        ] {
            let got = await received(device, count: expected.count).compactMap(\.message)
            #expect(
                got == expected,
                "Exercise 01.3: \(name) must get \(expected.map(\.body)) once each, in order; got \(got.map(\.body))")
        }
    }

    @Test("a device that stops reading is cut off; the others get everything and it catches up by sync (01.3)")
    func slowDeviceIsCutOff() async throws {
        let fixture = try await ChatFixture(bufferLimit: 4)
        let (_, stalled) = await fixture.relay.subscribe(as: fixture.bob.id)
        let (_, reading) = await fixture.relay.subscribe(as: fixture.bob.id)
        var sent: [Message] = []
        var readInTime: [TimelineEntry] = []
        for index in 1...10 {
            sent.append(try await fixture.chat.send(SendRequest(to: fixture.bob.id, body: "m\(index)"), from: fixture.alice.id))
            let got = await received(reading, count: 1)
            readInTime += got
            if got.isEmpty { break }  // nothing pushed at all: no need to wait for the other nine
        }
        #expect(readInTime.map(\.message) == sent, "Exercise 01.3: a device that keeps reading gets every entry")
        // A cut-off device's stream finishes after what it holds, so asking for more returns at once.
        let held = await received(stalled, count: 5)
        #expect(held.count == 4, "Exercise 01.3: the stalled device keeps the 4 entries its buffer holds; got \(held.count)")
        #expect(
            await fixture.relay.connectionCount(of: fixture.bob.id) == 1,
            "Exercise 01.3: the stalled device is forgotten (cut off), the reading one stays")
        let caughtUp = try await fixture.chat.sync(for: fixture.bob.id, after: held.last?.version ?? 0, limit: nil)
        #expect(
            held.map(\.message) + caughtUp.entries.map(\.message) == sent,
            "the entries it missed come back, in order, from the timeline")
    }

    @Test("an unsubscribed device gets nothing")
    func unsubscribe() async throws {
        let fixture = try await ChatFixture()
        let (connection, stream) = await fixture.relay.subscribe(as: fixture.bob.id)
        await fixture.relay.unsubscribe(connection, of: fixture.bob.id)
        #expect(await fixture.relay.connectionCount(of: fixture.bob.id) == 0)
        _ = try await fixture.chat.send(SendRequest(to: fixture.bob.id, body: "late"), from: fixture.alice.id)
        #expect(await received(stream, count: 1).isEmpty)
    }
}
