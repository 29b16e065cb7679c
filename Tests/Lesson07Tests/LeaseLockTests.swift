// Lesson 07 tests: a lease lock with fencing tokens, on a real SQLite file, and the unread repair
// it protects from a worker that was paused past its lease.

import Foundation
import GRDB
import IMCore
import IMTestSupport
import IMUnread
import Testing

@Suite("07 Lease lock and fencing token")
struct LeaseLockTests {
    static func openPool(in directory: TemporaryDirectory) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)  // as the store does: wait out a WAL reset under load
        let pool = try DatabasePool(path: directory.path + "/lease.sqlite", configuration: configuration)
        try pool.write { db in
            try UnreadLedger.createTables(db)
            try LeaseLock.createTables(db)
        }
        return pool
    }

    func acquire(_ holder: String, at now: Int64, for duration: Int64 = 1_000, _ pool: DatabasePool) async throws -> Lease? {
        try await pool.write { try LeaseLock.acquire("job", holder: holder, for: duration, now: now, $0) }
    }

    @Test("07.3 one holder at a time; a renewal keeps its token; after an expiry or a release the next holder gets a larger one")
    func leaseRules() async throws {
        try await withTemporaryDirectory { directory in
            let pool = try Self.openPool(in: directory)
            let first = try #require(
                try await acquire("a", at: 0, pool), "Exercise 07.3: a lock nobody holds must be granted")
            #expect(first.fence == 1 && first.expiresAt == 1_000, "Exercise 07.3: a new lock starts at token 1; got \(first)")
            #expect(try await acquire("b", at: 500, pool) == nil, "Exercise 07.3: b must wait while a's lease runs")
            let renewed = try #require(try await acquire("a", at: 900, pool), "Exercise 07.3: a may renew its own lease")
            #expect(renewed.fence == 1 && renewed.expiresAt == 1_900, "Exercise 07.3: a renewal keeps the token; got \(renewed)")
            #expect(try await acquire("b", at: 1_500, pool) == nil, "Exercise 07.3: the renewed lease runs until 1,900")
            let second = try #require(try await acquire("b", at: 1_900, pool), "Exercise 07.3: an expired lease is free")
            #expect(second.fence == 2, "Exercise 07.3: a new holder gets the last token + 1; got \(second)")
            let lapsed = try #require(try await acquire("b", at: 5_000, pool), "Exercise 07.3: an expired lease is free")
            #expect(
                lapsed.fence == 3,
                "Exercise 07.3: a holder whose lease expired is a new holder (someone may have held it in between); got \(lapsed)"
            )
            // A stale lease cannot release the current one; the current one can.
            try await pool.write { try LeaseLock.release(first, $0) }
            #expect(try await acquire("c", at: 5_100, pool) == nil, "a's old lease must not release b's")
            try await pool.write { try LeaseLock.release(lapsed, $0) }
            let third = try #require(try await acquire("c", at: 5_200, pool), "Exercise 07.3: a released lock is free")
            #expect(third.fence == 4, "Exercise 07.3: tokens keep growing after a release; got \(third)")
        }
    }

    @Test("07.4 the guard admits the newest token again and again, and refuses an older one")
    func fenceGuard() async throws {
        try await withTemporaryDirectory { directory in
            let pool = try Self.openPool(in: directory)
            func admit(_ fence: Int64) async throws -> Bool {
                try await pool.write { db in
                    do {
                        try FenceGuard.admit(fence, to: "unread:2", db)
                        return true
                    } catch is StaleFenceError {
                        return false
                    }
                }
            }
            #expect(try await admit(1), "Exercise 07.4: a first token is admitted")
            #expect(try await admit(1), "Exercise 07.4: the same holder writes again under the same token")
            #expect(try await admit(3), "Exercise 07.4: a newer token is admitted")
            #expect(try await !admit(2), "Exercise 07.4: token 2 is older than 3, which has written: refused")
            #expect(try await !admit(1), "Exercise 07.4: token 1 is refused too")
            #expect(try await admit(3), "Exercise 07.4: the newest token still writes")
            let other = try await pool.write { db -> Bool in
                try FenceGuard.admit(1, to: "unread:7", db)
                return true
            }
            #expect(other, "Exercise 07.4: each resource has its own largest token")
        }
    }

    @Test("07.4 a repair worker paused past its lease cannot write its old counts over a newer worker's")
    func pausedRepairWorker() async throws {
        try await withTemporaryDirectory { directory in
            let pool = try Self.openPool(in: directory)
            let bob = UserID(2)
            let withAlice = ConversationID.direct(UserID(1), bob)
            try await pool.write { db in
                for seq in 1...3 { try UnreadLedger.recordIncoming(for: bob, in: withAlice, seq: Int64(seq), db) }
            }
            // Worker A takes the lease and counts: 3 unread.
            let leaseA = try #require(
                try await pool.write { try LeaseLock.acquire(UnreadLedger.repairLease, holder: "A", for: 1_000, now: 0, $0) },
                "Exercise 07.3: a lock nobody holds must be granted")
            let countedByA = try await pool.read { try UnreadLedger.countFromSet(of: bob, $0) }
            // A is paused for 5 s. A fourth message arrives; A's lease expires; B takes over and repairs.
            try await pool.write { try UnreadLedger.recordIncoming(for: bob, in: withAlice, seq: 4, $0) }
            let leaseB = try #require(
                try await pool.write {
                    try LeaseLock.acquire(UnreadLedger.repairLease, holder: "B", for: 1_000, now: 5_000, $0)
                }, "Exercise 07.3: an expired lease is free for B")
            #expect(leaseB.fence > leaseA.fence, "Exercise 07.3: B's token must be larger than A's")
            try await pool.write { db in
                try UnreadLedger.writeRepairedCounts(
                    try UnreadLedger.countFromSet(of: bob, db), for: bob, fence: leaseB.fence, db)
            }
            // A wakes up, still believing it holds the lock, and writes what it counted before the pause.
            let refused = try await pool.write { db -> Bool in
                do {
                    try UnreadLedger.writeRepairedCounts(countedByA, for: bob, fence: leaseA.fence, db)
                    return false
                } catch is StaleFenceError {
                    return true
                }
            }
            #expect(refused, "Exercise 07.4: A's write carries an older token than B's and must be refused")
            let summary = try await pool.read { try UnreadLedger.summary(of: bob, $0) }
            #expect(
                summary.total == 4 && summary.byConversation == [withAlice: 4],
                "Exercise 07.4: the badge must still count all 4 unread messages; got \(summary)")
        }
    }
}
