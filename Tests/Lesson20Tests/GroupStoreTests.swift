// Lesson 20 tests, part 2: read diffusion on a real SQLite file — one stored message, a gap-free
// seq under concurrent sends, history bounded by join and removal, unread computed.

import Foundation
import GRDB
import IMCore
import IMGroup
import IMTestSupport
import Testing

@Suite("20 Group store on SQLite")
struct GroupStoreTests {
    @Test("concurrent sends keep a gap-free seq: 1…N, each once (20.2)")
    func concurrentSendsAreGapFree() async throws {
        try await GroupDatabase.with(users: 8) { db in
            let group = try await db.store.create(name: "busy", owner: db.users[0], members: db.users, now: 0).group
            let senders = db.users
            let seqs = try await withThrowingTaskGroup(of: [Int64].self) { tasks in
                for sender in senders {
                    tasks.addTask {
                        var mine: [Int64] = []
                        for index in 0..<25 {
                            let result = try await db.store.send(
                                to: group, from: sender, body: "m\(index)", clientMsgID: nil, sentAt: 0)
                            mine.append(result.message.seq)
                        }
                        return mine
                    }
                }
                return try await tasks.reduce(into: [Int64]()) { $0 += $1 }
            }
            #expect(seqs.sorted() == Array(1...200), "Exercise 20.2: 200 sends get seqs 1…200, no gap, no repeat")
            let page = try await db.store.history(of: group, for: db.users[1], after: 0, before: nil, limit: 200)
            #expect(page.messages.map(\.seq) == Array(1...200), "history holds each message once, in seq order")
        }
    }

    @Test("a send writes the same few rows in a group of 300 as in a group of 2 (20.2)")
    func sendWritesConstantRows() async throws {
        try await GroupDatabase.with(users: 300) { db in
            let small = try await db.store.create(name: "two", owner: db.users[0], members: [db.users[1]], now: 0).group
            let large = try await db.store.create(name: "many", owner: db.users[0], members: db.users, now: 0).group
            func rowsWritten(_ group: GroupID) async throws -> Int {
                let before = try await db.store.database.write { $0.totalChangesCount }
                _ = try await db.store.send(to: group, from: db.users[0], body: "hello", clientMsgID: nil, sentAt: 0)
                return try await db.store.database.write { $0.totalChangesCount } - before
            }
            let smallRows = try await rowsWritten(small)
            let largeRows = try await rowsWritten(large)
            #expect(smallRows > 0 && smallRows <= 3, "Exercise 20.2: a send changes at most 3 rows; got \(smallRows)")
            #expect(
                largeRows == smallRows, "Exercise 20.2: 300 members cost no more rows than 2; got \(largeRows) vs \(smallRows)")
        }
    }

    @Test("a retried send (same clientMsgID) gets the stored message and takes no seq (20.2)")
    func retryIsStoredOnce() async throws {
        try await GroupDatabase.with(users: 2) { db in
            let group = try await db.store.create(name: "g", owner: db.users[0], members: [db.users[1]], now: 0).group
            let first = try await db.store.send(to: group, from: db.users[0], body: "once", clientMsgID: "c1", sentAt: 0)
            let again = try await db.store.send(to: group, from: db.users[0], body: "once", clientMsgID: "c1", sentAt: 0)
            #expect(!first.isRepeat && again.isRepeat, "Exercise 20.2: the second send is recognised as a retry")
            #expect(again.message == first.message, "the retry is answered with the stored message")
            let next = try await db.store.send(to: group, from: db.users[0], body: "two", clientMsgID: "c2", sentAt: 0)
            #expect(next.message.seq == 2, "the retry took no seq: the next message is 2; got \(next.message.seq)")
        }
    }

    @Test("a member reads only from its join position on; asking for earlier history is refused (20.1, 20.2)")
    func joinBoundsHistory() async throws {
        try await GroupDatabase.with(users: 3) { db in
            let (owner, early, late) = (db.users[0], db.users[1], db.users[2])
            let group = try await db.store.create(name: "g", owner: owner, members: [early], now: 0).group
            for index in 1...3 {
                _ = try await db.store.send(to: group, from: owner, body: "before \(index)", clientMsgID: nil, sentAt: 0)
            }
            _ = try await db.store.add([late], to: group, by: owner)
            for index in 1...2 {
                _ = try await db.store.send(to: group, from: owner, body: "after \(index)", clientMsgID: nil, sentAt: 0)
            }

            let latest = try await db.store.history(of: group, for: late, after: nil, before: nil, limit: nil)
            #expect(
                latest.messages.map(\.seq) == [4, 5],
                "Exercise 20.1: joined at 3, sees 4 and 5; got \(latest.messages.map(\.seq))")
            #expect(latest.joinSeq == 3 && !latest.hasMore, "the page says where the member's history starts")
            let all = try await db.store.history(of: group, for: early, after: nil, before: nil, limit: nil)
            #expect(all.messages.map(\.seq) == [1, 2, 3, 4, 5], "a founding member sees everything")

            let beforeJoin = await imErrorCode {
                _ = try await db.store.history(of: group, for: late, after: 1, before: nil, limit: nil)
            }
            #expect(beforeJoin == .forbidden, "Exercise 20.1: after=1 asks for seqs before the join: refused")
            let pagingBack = await imErrorCode {
                _ = try await db.store.history(of: group, for: late, after: nil, before: 4, limit: nil)
            }
            #expect(pagingBack == .forbidden, "before=4 asks only for seqs before the join: refused")
            let summary = try await db.store.summaries(of: late).first
            #expect(
                summary?.unread == 2,
                "Exercise 20.1: unread counts only what came after joining; got \(String(describing: summary))")
        }
    }

    @Test("a removed member gets nothing newer than its removal, and can no longer post (20.1, 20.2)")
    func removedMemberIsCutOff() async throws {
        try await GroupDatabase.with(users: 3) { db in
            let (owner, member) = (db.users[0], db.users[1])
            let group = try await db.store.create(name: "g", owner: owner, members: [member], now: 0).group
            for index in 1...2 {
                _ = try await db.store.send(to: group, from: owner, body: "m\(index)", clientMsgID: nil, sentAt: 0)
            }
            let change = try await db.store.remove(member, from: group, by: owner)
            #expect(change.atSeq == 2 && change.kind == .removed, "removed at seq 2; got \(change)")
            for index in 3...5 {
                _ = try await db.store.send(to: group, from: owner, body: "m\(index)", clientMsgID: nil, sentAt: 0)
            }

            let page = try await db.store.history(of: group, for: member, after: 0, before: nil, limit: nil)
            #expect(
                page.messages.map(\.seq) == [1, 2], "Exercise 20.1: nothing after the removal; got \(page.messages.map(\.seq))")
            let summary = try #require(try await db.store.summaries(of: member).first)
            #expect(summary.leftSeq == 2 && summary.unread == 2, "unread stops at the removal; got \(summary)")
            let post = await imErrorCode {
                _ = try await db.store.send(to: group, from: member, body: "hi", clientMsgID: nil, sentAt: 0)
            }
            #expect(post == .forbidden, "Exercise 20.2: a removed member cannot post")
            #expect(try await db.store.activeMemberIDs(of: group) == [owner], "the removed member gets no more pushes")
            let outsider = await imErrorCode {
                _ = try await db.store.send(to: group, from: db.users[2], body: "hi", clientMsgID: nil, sentAt: 0)
            }
            #expect(outsider == .forbidden, "Exercise 20.2: a user who was never a member cannot post")
        }
    }

    @Test("unread is computed from the read position right after each read (20.1, 20.2)")
    func unreadAfterReads() async throws {
        try await GroupDatabase.with(users: 2) { db in
            let (owner, reader) = (db.users[0], db.users[1])
            let group = try await db.store.create(name: "g", owner: owner, members: [reader], now: 0).group
            for index in 1...5 {
                _ = try await db.store.send(to: group, from: owner, body: "m\(index)", clientMsgID: nil, sentAt: 0)
            }
            #expect(try await db.store.summaries(of: reader).first?.unread == 5, "Exercise 20.1: 5 unread")
            #expect(try await db.store.summaries(of: owner).first?.unread == 0, "the sender has read its own messages")
            let receipt = try await db.store.markRead(group, by: reader, upTo: 3)
            #expect(receipt.readSeq == 3 && receipt.unread == 2, "read up to 3: 2 unread; got \(receipt)")
            let back = try await db.store.markRead(group, by: reader, upTo: 1)
            #expect(back.readSeq == 3, "a read position never goes back; got \(back)")
            let beyond = try await db.store.markRead(group, by: reader, upTo: 99)
            #expect(beyond.readSeq == 5 && beyond.unread == 0, "a read beyond the last seq stops at it; got \(beyond)")
        }
    }

    @Test("the 10,001st member is refused and nothing changes; unknown groups and users are refused")
    func limitsAndUnknowns() async throws {
        try await GroupDatabase.with(users: 5, configure: { $0.maxMembers = 3 }) { db in
            let group = try await db.store.create(name: "g", owner: db.users[0], members: [db.users[1], db.users[2]], now: 0)
                .group
            let full = await imErrorCode { _ = try await db.store.add([db.users[3]], to: group, by: db.users[0]) }
            #expect(full == .conflict, "a 4th member of a group limited to 3 is refused with conflict")
            #expect(try await db.store.summaries(of: db.users[0]).first?.memberCount == 3, "the count is unchanged")
            #expect(try await db.store.summaries(of: db.users[3]).isEmpty, "the refused user is in no group")
            _ = try await db.store.remove(db.users[2], from: group, by: db.users[0])
            let unknownUser = await imErrorCode {
                _ = try await db.store.add([db.users[3], UserID(999_999)], to: group, by: db.users[0])
            }
            #expect(unknownUser == .notFound, "a batch naming an unknown user is refused whole")
            #expect(try await db.store.summaries(of: db.users[3]).isEmpty, "…and adds nobody")
            let unknownGroup = await imErrorCode {
                _ = try await db.store.history(of: GroupID(4242), for: db.users[0], after: nil, before: nil, limit: nil)
            }
            #expect(unknownGroup == .notFound, "an unknown group is not_found")
            let notManager = await imErrorCode { _ = try await db.store.add([db.users[4]], to: group, by: db.users[1]) }
            #expect(notManager == .forbidden, "a plain member cannot add members")
        }
    }
}
