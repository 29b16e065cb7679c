// Lesson 07 tests: the unread ledger on a real SQLite file, alone and under concurrency.

import Foundation
import GRDB
import IMCore
import IMTestSupport
import IMUnread
import Testing

@Suite("07 Unread ledger")
struct UnreadLedgerTests {
    static func openPool(in directory: TemporaryDirectory) throws -> DatabasePool {
        // As the store does: a reader that meets a WAL reset under load waits instead of failing.
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        let pool = try DatabasePool(path: directory.path + "/unread.sqlite", configuration: configuration)
        try pool.write { try UnreadLedger.createTables($0) }
        return pool
    }

    let bob = UserID(2)
    let withAlice = ConversationID.direct(UserID(1), UserID(2))
    let withCarol = ConversationID.direct(UserID(2), UserID(3))

    @Test("07.1 an incoming message counts once, in its conversation and in the total")
    func recordIncoming() async throws {
        try await withTemporaryDirectory { directory in
            let pool = try Self.openPool(in: directory)
            try await pool.write { db in
                try UnreadLedger.recordIncoming(for: bob, in: withAlice, seq: 1, db)
                try UnreadLedger.recordIncoming(for: bob, in: withAlice, seq: 2, db)
                try UnreadLedger.recordIncoming(for: bob, in: withCarol, seq: 1, db)
                try UnreadLedger.recordIncoming(for: bob, in: withAlice, seq: 2, db)  // recorded again
            }
            let summary = try await pool.read { try UnreadLedger.summary(of: bob, $0) }
            #expect(
                summary.byConversation == [withAlice: 2, withCarol: 1], "Exercise 07.1: per-conversation counts; got \(summary)")
            #expect(summary.total == 3, "Exercise 07.1: the total moves with the parts, and a repeat counts once")
        }
    }

    @Test("07.2 a read mark clears up to its seq and leaves later messages unread")
    func markReadUpTo() async throws {
        try await withTemporaryDirectory { directory in
            let pool = try Self.openPool(in: directory)
            try await pool.write { db in
                for seq in 1...5 { try UnreadLedger.recordIncoming(for: bob, in: withAlice, seq: Int64(seq), db) }
                try UnreadLedger.recordIncoming(for: bob, in: withCarol, seq: 1, db)
            }
            // The reader saw up to seq 3; seqs 4 and 5 arrived after.
            let after = try await pool.write { try UnreadLedger.markRead(for: bob, in: withAlice, upTo: 3, $0) }
            #expect(after.unread == 2, "Exercise 07.2: messages after the read mark stay unread; got \(after)")
            #expect(after.total == 3, "Exercise 07.2: the total drops by exactly what was read")
            let again = try await pool.write { try UnreadLedger.markRead(for: bob, in: withAlice, upTo: 3, $0) }
            #expect(again == after, "Exercise 07.2: reading the same range again changes nothing")
            let all = try await pool.write { try UnreadLedger.markRead(for: bob, in: withAlice, upTo: nil, $0) }
            #expect(all.unread == 0 && all.total == 1, "Exercise 07.2: read everything clears the conversation only")
        }
    }

    @Test("07.2 many concurrent senders and readers: total == sum of parts at every observation and the counts are exact")
    func concurrentSendersAndReaders() async throws {
        try await withTemporaryDirectory { directory in
            let pool = try Self.openPool(in: directory)
            let users = (1...6).map { UserID(Int64($0)) }
            // Every pair of users is a conversation; each side receives from its peer.
            let lanes: [(user: UserID, conversation: ConversationID)] = users.flatMap { a in
                users.filter { $0 != a }.map { b in (a, ConversationID.direct(a, b)) }
            }
            let perLane = 60
            let observations = ObservationLog()

            try await withThrowingTaskGroup(of: Void.self) { group in
                // Senders: each lane receives seqs 1…perLane, in order, one transaction each.
                for lane in lanes {
                    group.addTask {
                        for seq in 1...perLane {
                            try await pool.write {
                                try UnreadLedger.recordIncoming(for: lane.user, in: lane.conversation, seq: Int64(seq), $0)
                            }
                        }
                    }
                }
                // Readers: read a lane up to a seq that is already recorded (what the client has seen).
                for reader in 0..<4 {
                    group.addTask {
                        for round in 0..<80 {
                            let lane = lanes[(reader * 31 + round * 7) % lanes.count]
                            try await pool.write { db in
                                let seen = try Int64.fetchOne(
                                    db,
                                    sql: "SELECT MAX(seq) FROM unread_message WHERE user_id = ? AND conversation_id = ?",
                                    arguments: [lane.user.rawValue, lane.conversation.rawValue])
                                guard let seen else { return }
                                let upTo = seen - Int64(round % 3)
                                try UnreadLedger.markRead(for: lane.user, in: lane.conversation, upTo: upTo, db)
                                try db.execute(
                                    sql: """
                                        CREATE TABLE IF NOT EXISTS test_read_mark (user_id, conversation_id, up_to);
                                        INSERT INTO test_read_mark VALUES (?, ?, ?)
                                        """,
                                    arguments: [lane.user.rawValue, lane.conversation.rawValue, upTo])
                            }
                        }
                    }
                }
                // Observers: every snapshot must add up.
                for _ in 0..<2 {
                    group.addTask {
                        for _ in 0..<150 {
                            for user in users {
                                let summary = try await pool.read { try UnreadLedger.summary(of: user, $0) }
                                await observations.add(ok: summary.total == summary.sumOfParts)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }

            let (count, bad) = await observations.result()
            #expect(count > 0 && bad == 0, "Exercise 07.1/07.2: \(bad) of \(count) snapshots had total ≠ sum of parts")
            for lane in lanes {
                let (counter, expected) = try await pool.read { db -> (Int, Int) in
                    let readUpTo =
                        try Int64.fetchOne(
                            db,
                            sql: "SELECT MAX(up_to) FROM test_read_mark WHERE user_id = ? AND conversation_id = ?",
                            arguments: [lane.user.rawValue, lane.conversation.rawValue]) ?? 0
                    return (try UnreadLedger.unread(of: lane.user, in: lane.conversation, db), perLane - Int(readUpTo))
                }
                #expect(
                    counter == expected,
                    "Exercise 07.1/07.2: \(lane.user) in \(lane.conversation): counter \(counter), messages unread \(expected)")
            }
            for user in users {
                let summary = try await pool.read { try UnreadLedger.summary(of: user, $0) }
                #expect(summary.total == summary.sumOfParts, "Exercise 07.1/07.2: at the end, \(user)'s total is the sum")
            }
        }
    }
}

actor ObservationLog {
    private var count = 0
    private var bad = 0
    func add(ok: Bool) {
        count += 1
        if !ok { bad += 1 }
    }
    func result() -> (Int, Int) { (count, bad) }
}
