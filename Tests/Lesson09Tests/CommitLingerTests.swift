// Lesson 09 tests: a commit waits a moment for more sends under steady traffic, and only then.

import GRDB
import IMCore
import IMStore
import IMSync
import IMTestSupport
import Synchronization
import Testing

@Suite("09 Commit linger")
struct CommitLingerTests {
    @Test("the decision: wait only with something to commit, few waiting, and a commit moments ago")
    func decision() {
        let linger = CommitLinger(delay: .milliseconds(1), steadyWithin: .milliseconds(3), enoughWaiting: 16)
        #expect(linger.shouldWait(waiting: 1, sinceLastCommit: .microseconds(500)), "steady traffic, one waiting")
        #expect(linger.shouldWait(waiting: 15, sinceLastCommit: .milliseconds(2)))
        #expect(!linger.shouldWait(waiting: 16, sinceLastCommit: .microseconds(500)), "enough waiting: commit at once")
        #expect(!linger.shouldWait(waiting: 1, sinceLastCommit: .milliseconds(3)), "after a quiet spell: at once")
        #expect(!linger.shouldWait(waiting: 1, sinceLastCommit: nil), "the first commit ever: at once")
        #expect(!linger.shouldWait(waiting: 0, sinceLastCommit: .zero), "nothing to commit: no wait")
        #expect(!CommitLinger.off.shouldWait(waiting: 1, sinceLastCommit: .zero), "off never waits")
        #expect(CommitLinger(delay: .milliseconds(-5)).delay == .zero, "a negative delay is no delay")
    }

    /// Counts the commits of one database.
    final class CommitCounter: TransactionObserver, Sendable {
        let commits = Mutex(0)
        func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }
        func databaseDidChange(with event: DatabaseEvent) {}
        func databaseDidCommit(_ db: Database) { commits.withLock { $0 += 1 } }
        func databaseDidRollback(_ db: Database) {}
    }

    func openStore(in directory: TemporaryDirectory, linger: CommitLinger) throws -> (SyncStore, CommitCounter) {
        let base = try SQLiteStore(
            configuration: .init(
                path: directory.path + "/im.sqlite", syncEveryCommit: false, migrations: SyncStore.migrations))
        let counter = CommitCounter()
        base.database.add(transactionObserver: counter, extent: .databaseLifetime)
        return (SyncStore(base: base, configuration: .init(linger: linger)), counter)
    }

    /// Stores one message, then two more 150 ms apart; returns how many commits the two took.
    func commitsForTwoSends(linger: CommitLinger) async throws -> Int {
        try await withTemporaryDirectory { directory in
            let (store, counter) = try openStore(in: directory, linger: linger)
            let send = { @Sendable (id: String) async throws in
                _ = try await store.store(
                    OutgoingMessage(from: UserID(1), to: UserID(2), clientMsgID: id, body: "hi"), sentAt: 1)
            }
            try await send("first")
            let before = counter.commits.withLock { $0 }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await send("second") }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(150))
                    try await send("third")
                }
                try await group.waitForAll()
            }
            let stored = try await store.base.database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM message") }
            #expect(stored == 3, "every send is stored")
            return counter.commits.withLock { $0 } - before
        }
    }

    @Test("under steady traffic a send waits for the next one, and both share one commit; without linger, two commits")
    func lingerGroupsSends() async throws {
        let lingering = try await commitsForTwoSends(
            linger: CommitLinger(delay: .milliseconds(800), steadyWithin: .seconds(60)))
        #expect(lingering == 1, "the second send waited and the third joined its commit")
        let notLingering = try await commitsForTwoSends(linger: .off)
        #expect(notLingering == 2, "without linger each send commits when the writer is free")
    }

    @Test("after a quiet spell a send commits at once, whatever the delay")
    func quietSendIsNotDelayed() async throws {
        try await withTemporaryDirectory { directory in
            let linger = CommitLinger(delay: .seconds(5), steadyWithin: .milliseconds(50))
            let (store, _) = try openStore(in: directory, linger: linger)
            _ = try await store.store(OutgoingMessage(from: UserID(1), to: UserID(2), clientMsgID: "a", body: "hi"), sentAt: 1)
            try await Task.sleep(for: .milliseconds(200))
            let started = ContinuousClock.now
            _ = try await store.store(OutgoingMessage(from: UserID(1), to: UserID(2), clientMsgID: "b", body: "hi"), sentAt: 2)
            #expect(ContinuousClock.now - started < .seconds(2), "a send after 200 ms of quiet did not wait the 5 s delay")
        }
    }
}
