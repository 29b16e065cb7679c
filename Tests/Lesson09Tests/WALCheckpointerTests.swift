// Lesson 09 tests, part 3: WAL checkpoints in the background, on a real SQLite file.

import Foundation
import GRDB
import IMStore
import IMSync
import IMTestSupport
import Synchronization
import Testing

@Suite("09 Background WAL checkpoints")
struct WALCheckpointerTests {
    /// Commits `count` transactions of one 3 KB row each: at least one WAL page apiece.
    static func write(_ count: Int, to store: SQLiteStore, from start: Int = 0) async throws {
        for index in start..<(start + count) {
            try await store.database.write { db in
                try db.execute(
                    sql: "INSERT INTO scratch (id, payload) VALUES (?, ?)",
                    arguments: [index, String(repeating: "x", count: 3_000)])
            }
        }
    }

    static func walBytes(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
    }

    /// A store with a scratch table, and a checkpointer that restarts at `restartPages`; the
    /// writer's own checkpoint is pushed out of the way, so only the checkpointer copies pages.
    static func open(at path: String, restartPages: Int) async throws -> (SQLiteStore, WALCheckpointer) {
        let store = try SQLiteStore(configuration: .init(path: path, syncEveryCommit: false))
        try await store.database.write { db in
            try db.execute(sql: "CREATE TABLE scratch (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
        }
        let checkpointer = try WALCheckpointer(
            database: store.database, configuration: .init(restartPages: restartPages, writerFallbackPages: 1_000_000))
        try await checkpointer.setWriterCheckpointThreshold(1_000_000)
        return (store, checkpointer)
    }

    @Test("a passive pass copies the WAL into the database without the writer; a long WAL is restarted")
    func passiveThenRestart() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("im.sqlite")
            let (store, checkpointer) = try await Self.open(at: path, restartPages: 200)

            try await Self.write(50, to: store)
            let short = try await checkpointer.checkpoint()
            #expect(short.walPages >= 50, "every commit appended to the WAL (\(short.walPages) pages)")
            #expect(short.checkpointedPages == short.walPages, "an idle writer lets a passive pass copy everything")
            #expect(!short.restarted, "a WAL below restartPages is not restarted")

            try await Self.write(250, to: store, from: 50)
            let walBeforeRestart = Self.walBytes(path)
            let long = try await checkpointer.checkpoint()
            #expect(long.walPages >= 200 && long.restarted, "a WAL of \(long.walPages) pages is restarted")
            #expect(long.checkpointedPages == long.walPages)

            // After a restart the next commit writes from the WAL's beginning: it stops growing.
            try await Self.write(10, to: store, from: 300)
            let after = try await checkpointer.checkpoint()
            #expect(after.walPages < 50, "the WAL started over: \(after.walPages) pages, not \(long.walPages + 10)")
            #expect(Self.walBytes(path) <= walBeforeRestart, "the WAL file did not grow past its size before the restart")

            // Nothing was lost on the way: a connection of its own reads every row from the file.
            let reader = try DatabaseQueue(path: path)
            let rows = try await reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM scratch") }
            #expect(rows == 310)
        }
    }

    @Test("passive passes never wait for the writer, even in the middle of its transaction")
    func passiveDoesNotBlockTheWriter() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("im.sqlite")
            let (store, checkpointer) = try await Self.open(at: path, restartPages: 1_000_000)
            try await Self.write(20, to: store)
            // The writer holds its transaction open until the checkpointer's pass has finished.
            let inTransaction = DispatchSemaphore(value: 0)
            let mayCommit = DispatchSemaphore(value: 0)
            let writer = Task {
                try await store.database.write { db in
                    try db.execute(sql: "INSERT INTO scratch (id, payload) VALUES (1000, 'open')")
                    inTransaction.signal()
                    mayCommit.wait()
                }
            }
            await Task.detached { inTransaction.wait() }.value
            let pass = try await checkpointer.checkpoint()
            mayCommit.signal()
            try await writer.value
            #expect(pass.checkpointedPages >= 20, "the committed pages were copied while the writer was mid-transaction")
            let rows = try await store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM scratch") }
            #expect(rows == 21, "the writer's transaction committed after the pass")
        }
    }

    @Test("a writer that commits back to back cannot keep the WAL from restarting")
    func restartUnderContinuousWrites() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("im.sqlite")
            let (store, checkpointer) = try await Self.open(at: path, restartPages: 100)
            // Writers that never leave the write queue empty, as sends under load do: one
            // transaction starts the moment the last one commits.
            let stop = StopFlag()
            let writer = Task {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for lane in 0..<8 {
                        group.addTask {
                            var count = 0
                            while !stop.isSet && count < 5_000 {
                                try await Self.write(1, to: store, from: lane * 1_000_000 + count)
                                count += 1
                            }
                            return count
                        }
                    }
                    return try await group.reduce(0, +)
                }
            }
            var restarts = 0
            var passes = 0
            while restarts < 3 && passes < 2_000 {
                passes += 1
                do {
                    if try await checkpointer.checkpoint().restarted { restarts += 1 }
                } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                    // Another checkpoint held the checkpoint lock: the service skips such a pass
                    // too, and tries again at the next tick.
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            stop.set()
            let written = try await writer.value
            #expect(restarts == 3, "the WAL restarted \(restarts) times in \(passes) passes while the writer committed")
            let pages = try await checkpointer.checkpoint().walPages
            #expect(pages < 1_000, "the WAL stayed short: \(pages) pages after \(written) commits")
            let rows = try await store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM scratch") }
            #expect(rows == written, "every commit is in the database")
        }
    }
}

/// Tells the test's writers to stop.
private final class StopFlag: Sendable {
    private let flag = Mutex(false)
    var isSet: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { $0 = true } }
}
