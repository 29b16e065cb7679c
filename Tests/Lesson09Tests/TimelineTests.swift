// Lesson 09 tests, part 1: the timeline on a real SQLite file — links, pages, resets.

import GRDB
import IMCore
import IMStore
import IMSync
import IMTestSupport
import IMUnread
import Testing

@Suite("09 Timeline")
struct TimelineTests {
    static func openStore(in directory: TemporaryDirectory, retention: TimelineRetention = .init()) throws -> SyncStore {
        let base = try SQLiteStore(
            configuration: .init(
                path: directory.path + "/im.sqlite", syncEveryCommit: false, migrations: SyncStore.migrations))
        return SyncStore(base: base, configuration: .init(retention: retention))
    }

    let alice = UserID(1)
    let bob = UserID(2)

    @Test("09.1 each entry links to the one before; the head moves up and never back")
    func linksAndHead() async throws {
        try await withTemporaryDirectory { directory in
            let store = try Self.openStore(in: directory)
            var entries: [TimelineEntry] = []
            for index in 0..<3 {
                let stored = try await store.store(
                    OutgoingMessage(from: alice, to: bob, clientMsgID: "m\(index)", body: "hi"), sentAt: 1)
                entries.append(try #require(stored.entries[bob]))
            }
            #expect(entries.first?.prevVersion == 0, "Exercise 09.1: the first entry of a timeline links to 0")
            for (earlier, later) in zip(entries, entries.dropFirst()) {
                #expect(later.prevVersion == earlier.version, "Exercise 09.1: each entry links to the previous head")
                #expect(later.version > earlier.version)
            }
            #expect(
                try await store.headVersion(of: bob) == entries.last?.version, "Exercise 09.1: the head is the newest version")
            let oldVersion = entries[0].version
            await #expect(throws: IMError.self, "Exercise 09.1: a version not above the head is refused") {
                try await store.base.database.write { db in
                    _ = try Timeline.appendRead(
                        ReadReceipt(conversationID: .direct(alice, bob), unread: 0, totalUnread: 0), for: bob,
                        version: oldVersion, createdAt: 1, db)
                }
            }
        }
    }

    @Test("09.2 sync pages: up to date, in pages with hasMore, reset when ahead of the head")
    func pages() async throws {
        try await withTemporaryDirectory { directory in
            let store = try Self.openStore(in: directory)
            for index in 0..<5 {
                _ = try await store.store(OutgoingMessage(from: alice, to: bob, clientMsgID: "m\(index)", body: "hi"), sentAt: 1)
            }
            let head = try await store.headVersion(of: bob)
            let first = try await store.timeline(of: bob, after: 0, limit: 3)
            #expect(first.entries.count == 3 && first.hasMore && first.resetReason == nil, "Exercise 09.2: a first page of 3")
            let second = try await store.timeline(of: bob, after: first.entries.last!.version, limit: 3)
            #expect(second.entries.count == 2 && !second.hasMore, "Exercise 09.2: the rest, and no more")
            #expect(second.entries.first?.prevVersion == first.entries.last?.version, "the pages chain")
            let current = try await store.timeline(of: bob, after: head, limit: 3)
            #expect(current.entries.isEmpty && current.resetReason == nil, "Exercise 09.2: at the head there is nothing to send")
            let ahead = try await store.timeline(of: bob, after: head + 100, limit: 3)
            #expect(ahead.resetReason != nil, "Exercise 09.2: a version the server never issued gets a reset")
            let made = try await store.timeline(of: bob, after: 2, limit: 3)
            #expect(
                made.resetReason != nil || made.entries.first?.prevVersion == 2,
                "Exercise 09.2: entries after a version always link back to it, or the answer is a reset")
        }
    }

    @Test("09.2 the offline store is capped; a device whose gap was evicted is told to reset")
    func evictedGapResets() async throws {
        try await withTemporaryDirectory { directory in
            let store = try Self.openStore(in: directory, retention: .init(maxEntries: 4, evictionInterval: 1))
            for index in 0..<20 {
                _ = try await store.store(OutgoingMessage(from: alice, to: bob, clientMsgID: "m\(index)", body: "hi"), sentAt: 1)
            }
            let fromStart = try await store.timeline(of: bob, after: 0, limit: 100)
            #expect(fromStart.resetReason != nil, "Exercise 09.2: entries after version 0 were evicted: reset")
            #expect(fromStart.entries.isEmpty)
            let kept = try await store.base.database.read {
                try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM timeline WHERE user_id = ?", arguments: [bob.rawValue])
            }
            #expect(kept == 4, "the cap keeps the newest 4 entries")
            let head = try await store.headVersion(of: bob)
            let recent = try await store.timeline(of: bob, after: head, limit: 100)
            #expect(recent.resetReason == nil, "a device at the head is fine")
        }
    }

    @Test("a send that fails inside a shared (group-committed) transaction leaves no trace; the others are stored (09.1)")
    func failingSendInABatch() async throws {
        try await withTemporaryDirectory { directory in
            let store = try Self.openStore(in: directory)
            let dave = UserID(4)
            let carol = UserID(3)
            // Carol's first timeline version (1) is taken already, so a send to her fails at her
            // timeline entry: after the message, its index rows, the unread count and Dave's entry.
            try await store.base.database.write { db in
                try db.execute(
                    sql: "INSERT INTO timeline (user_id, version, prev_version, kind, created_at) VALUES (?, 1, 0, 1, 1)",
                    arguments: [carol.rawValue])
            }
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    (try? await store.store(OutgoingMessage(from: dave, to: carol, clientMsgID: "bad", body: "hi"), sentAt: 1))
                        != nil
                }
                for index in 0..<20 {
                    group.addTask {
                        (try? await store.store(
                            OutgoingMessage(from: self.alice, to: self.bob, clientMsgID: "m\(index)", body: "hi"), sentAt: 1))
                            != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 20, "every send but the failing one is stored")
            let (messagesFromDave, daveHead, carolUnread, bobMessages) = try await store.base.database.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message WHERE sender_id = ?", arguments: [dave.rawValue]),
                    try Timeline.head(of: dave, db),
                    try UnreadLedger.total(of: carol, db),
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM user_message WHERE user_id = ?", arguments: [bob.rawValue])
                )
            }
            #expect(messagesFromDave == 0, "the failed send's message row was rolled back")
            #expect(daveHead == 0, "the failed send's timeline entry for the sender was rolled back")
            #expect(carolUnread == 0, "the failed send's unread count was rolled back")
            #expect(bobMessages == 20, "the sends that shared its transaction were committed")
        }
    }
}
