// Lesson 02 tests: the durable store on a real SQLite file (exercises 02.1 and 02.2).

import CourseSupport
import Foundation
import GRDB
import IMCore
import IMTestSupport
import Testing

@testable import IMStore

/// A store on a fresh SQLite file with three users.
struct StoreFixture {
    let directory: TemporaryDirectory
    let store: SQLiteStore
    let alice: User
    let bob: User
    let carol: User

    init() async throws {
        directory = try TemporaryDirectory(prefix: "lesson02")
        store = try SQLiteStore(configuration: .init(path: directory.file("im.sqlite"), syncEveryCommit: false))
        alice = try await store.createAccount(username: "alice", displayName: "Alice", passwordHash: "h")
        bob = try await store.createAccount(username: "bob", displayName: "Bob", passwordHash: "h")
        carol = try await store.createAccount(username: "carol", displayName: "Carol", passwordHash: "h")
    }

    func send(_ from: User, _ to: User, _ body: String) async throws -> Message {
        try await store.append(OutgoingMessage(from: from.id, to: to.id, clientMsgID: nil, body: body), sentAt: 1_000)
    }

    func count(_ sql: String) async throws -> Int {
        try await store.database.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }
}

@Suite("02.1 Append: content once, indexed for both, contacts updated")
struct AppendTests {
    @Test("one content row, an outbox row and an inbox row, two contact rows")
    func appendWritesAllTables() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.directory.remove() }
        let message = try await fixture.send(fixture.alice, fixture.bob, "hello")
        #expect(message.id > .zero && message.body == "hello", "Exercise 02.1: append returns the stored message with its id")
        #expect(try await fixture.count("SELECT COUNT(*) FROM message") == 1, "Exercise 02.1: the content is stored once")
        #expect(
            try await fixture.count("SELECT COUNT(*) FROM user_message WHERE direction = 0 AND user_id = \(fixture.alice.id)")
                == 1,
            "Exercise 02.1: the sender gets an outbox row (direction 0)")
        #expect(
            try await fixture.count("SELECT COUNT(*) FROM user_message WHERE direction = 1 AND user_id = \(fixture.bob.id)") == 1,
            "Exercise 02.1: the recipient gets an inbox row (direction 1)")
        #expect(
            try await fixture.count("SELECT unread FROM recent_contact WHERE user_id = \(fixture.bob.id)") == 1,
            "Exercise 02.1: the recipient's contact row counts one unread")
        #expect(
            try await fixture.count("SELECT unread FROM recent_contact WHERE user_id = \(fixture.alice.id)") == 0,
            "Exercise 02.1: the sender's contact row counts no unread")
    }

    @Test("recent contacts are updated in place, newest first")
    func contactsUpdatedInPlace() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.directory.remove() }
        for index in 1...5 { _ = try await fixture.send(fixture.alice, fixture.bob, "a\(index)") }
        let last = try await fixture.send(fixture.carol, fixture.bob, "from carol")
        let rows = try await fixture.store.recentContacts(of: fixture.bob.id, limit: 10)
        #expect(rows.count == 2, "Exercise 02.1: one recent_contact row per conversation, updated in place")
        #expect(rows.first?.lastMessage == last, "Exercise 02.1: the newest conversation comes first")
        #expect(rows.map(\.unread) == [1, 5], "Exercise 02.1: unread counted per conversation")
        #expect(try await fixture.store.markRead(.direct(fixture.alice.id, fixture.bob.id), by: fixture.bob.id) == 1)
    }

    @Test("a note to oneself is indexed once and never unread")
    func noteToSelf() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.directory.remove() }
        _ = try await fixture.send(fixture.alice, fixture.alice, "remember milk")
        #expect(
            try await fixture.count("SELECT COUNT(*) FROM user_message") == 1, "Exercise 02.1: one index row for a note to self")
        #expect(
            try await fixture.count("SELECT SUM(unread) FROM recent_contact") == 0, "Exercise 02.1: a note to self is not unread")
    }

    @Test("concurrent appends get unique, increasing ids and all index rows")
    func concurrentAppends() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.directory.remove() }
        let ids = try await withThrowingTaskGroup(of: MessageID.self) { group in
            for index in 0..<100 {
                group.addTask {
                    let (from, to) = index.isMultiple(of: 2) ? (fixture.alice, fixture.bob) : (fixture.bob, fixture.carol)
                    return try await fixture.send(from, to, "m\(index)").id
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(ids).count == 100, "Exercise 02.1: every message gets its own id")
        #expect(try await fixture.count("SELECT COUNT(*) FROM user_message") == 200, "Exercise 02.1: two index rows per message")
        let bobsIndex = try await fixture.store.messages(for: fixture.bob.id, after: .zero, limit: 1_000)
        #expect(bobsIndex.count == 100 && bobsIndex.map(\.id) == bobsIndex.map(\.id).sorted())
    }

    @Test("what was stored survives closing and reopening the file")
    func durableAcrossReopen() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.directory.remove() }
        let message = try await fixture.send(fixture.alice, fixture.bob, "still here?")
        let reopened = try SQLiteStore(path: fixture.directory.file("im.sqlite"))
        let page = try await reopened.history(of: message.conversationID, for: fixture.bob.id, before: nil, limit: 10)
        #expect(page.messages == [message], "Exercise 02.1/02.2: the message is on disk after reopening")
        #expect(try await reopened.account(username: "alice")?.user == fixture.alice)
    }
}

@Suite("02.2 History paging by message id")
struct HistoryTests {
    @Test("pages walk backwards, each oldest first, until hasMore is false")
    func paging() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.directory.remove() }
        var sent: [Message] = []
        for index in 0..<120 {
            let (from, to) = index.isMultiple(of: 3) ? (fixture.bob, fixture.alice) : (fixture.alice, fixture.bob)
            sent.append(try await fixture.send(from, to, "m\(index)"))
            if index.isMultiple(of: 10) { _ = try await fixture.send(fixture.carol, fixture.bob, "noise \(index)") }
        }
        let conversation = ConversationID.direct(fixture.alice.id, fixture.bob.id)
        var pages: [HistoryPage] = []
        var before: MessageID? = nil
        repeat {
            let page = try await fixture.store.history(of: conversation, for: fixture.alice.id, before: before, limit: 50)
            pages.append(page)
            before = page.messages.first?.id
        } while pages.last?.hasMore == true && pages.count < 10
        #expect(pages.map(\.messages.count) == [50, 50, 20], "Exercise 02.2: 120 messages in pages of 50, 50 and 20")
        #expect(pages.map(\.hasMore) == [true, true, false], "Exercise 02.2: hasMore until the oldest page")
        #expect(
            pages.reversed().flatMap(\.messages) == sent,
            "Exercise 02.2: pages hold exactly the conversation's messages, oldest first")
    }

    @Test("history is read through the user's own index")
    func historyIsPerUser() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.directory.remove() }
        _ = try await fixture.send(fixture.alice, fixture.bob, "private")
        let page = try await fixture.store.history(
            of: .direct(fixture.alice.id, fixture.bob.id), for: fixture.carol.id, before: nil, limit: 50)
        #expect(page.messages.isEmpty && !page.hasMore, "Exercise 02.2: a user sees only messages in their own index")
    }
}

@Suite("Accounts and sessions")
struct AccountTests {
    @Test("usernames are unique; sessions are found by token hash")
    func accounts() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.directory.remove() }
        await #expect(throws: IMError(.conflict, "username alice is taken")) {
            _ = try await fixture.store.createAccount(username: "alice", displayName: "Other", passwordHash: "h")
        }
        let session = Session(userID: fixture.bob.id, deviceID: DeviceID(rawValue: "phone")!, expiresAt: 99)
        try await fixture.store.createSession(tokenHash: [1, 2, 3], session: session)
        #expect(try await fixture.store.session(tokenHash: [1, 2, 3]) == session)
        try await fixture.store.deleteSession(tokenHash: [1, 2, 3])
        #expect(try await fixture.store.session(tokenHash: [1, 2, 3]) == nil)
    }
}

@Suite("02 The file's settings")
struct StoreFileSettingsTests {
    @Test("a new file gets the configured page size; an existing file keeps its own")
    func pageSize() async throws {
        let directory = try TemporaryDirectory(prefix: "lesson02-pages")
        defer { directory.remove() }
        func pageSize(of store: SQLiteStore) async throws -> Int {
            try await store.database.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") ?? -1 }
        }
        let fresh = try SQLiteStore(configuration: .init(path: directory.file("fresh.sqlite")))
        #expect(try await pageSize(of: fresh) == 2_048, "the default page size of a new file")
        let custom = try SQLiteStore(configuration: .init(path: directory.file("custom.sqlite"), pageSize: 8_192))
        #expect(try await pageSize(of: custom) == 8_192)
        // Reopened with another setting, the file keeps the size it was created with.
        let reopened = try SQLiteStore(configuration: .init(path: directory.file("custom.sqlite"), pageSize: 1_024))
        #expect(try await pageSize(of: reopened) == 8_192, "an existing file's page size does not change")
        _ = try await reopened.createAccount(username: "dora", displayName: "Dora", passwordHash: "h")
        #expect(try await reopened.account(username: "dora") != nil)
    }
}
