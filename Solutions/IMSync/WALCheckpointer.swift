// Lesson 09 (performance): WAL checkpoints off the write path.
//
// In WAL mode SQLite appends every committed page to the `-wal` file, and copies the pages back
// into the database file later: a checkpoint. By default the connection that commits does it,
// whenever the WAL has 1,000 pages: the one writer stops, copies about 4 MB, syncs the database
// file, and every send of the next group commit waits behind it. At 1,000 msg/s the p99 ACK
// latency was 10.7 ms with checkpoints in the writer, 5.9 ms with this service (BENCHMARKS.md, 8).
//
// This service moves most of the work to a connection of its own. Every `interval` it runs a
// PASSIVE checkpoint, which copies what it can without ever blocking the writer. A passive
// checkpoint cannot make the WAL start over while the writer keeps appending, so when the WAL has
// grown past `restartPages` anyway, one RESTART checkpoint runs in the writer's queue, between two
// group commits: it copies the few pages the passive passes left, and the next transaction writes
// from the WAL's beginning again. The writer keeps a checkpoint of its own only as a safety net,
// at `writerFallbackPages`.
//
// A restart is short but not free: the pages of the last commit or two still have to be synced
// to the WAL and then to the database file, two fsyncs of a few ms each, and every send waits
// meanwhile. So the WAL may grow to 128 MiB before it restarts: at 1,700 msg/s that is 7
// restarts in 10 s instead of 27 at 32 MiB, and the p99 ACK latency fell from 22 to 16 ms
// (docs/BENCHMARKS.md, before/after 13). The thresholds count pages: 65,536 of the store's
// 2 KiB pages are those 128 MiB (before/after 16).

import GRDB
import IMCore
import ServiceLifecycle

/// Checkpoints the WAL of `database` in the background while the server runs.
public struct WALCheckpointer: Service {
    public struct Configuration: Sendable, Hashable {
        /// How often a passive checkpoint runs.
        public var interval: Duration
        /// A WAL this long (in pages: 2 KiB each with `SQLiteStore`'s default) is restarted: one
        /// short pause between two group commits. Longer means fewer pauses, for more disk.
        public var restartPages: Int
        /// The writer checkpoints by itself only at this length: when this service is not running
        /// or cannot keep up.
        public var writerFallbackPages: Int

        public init(
            interval: Duration = .milliseconds(50), restartPages: Int = 65_536, writerFallbackPages: Int = 262_144
        ) {
            self.interval = interval
            self.restartPages = max(1, restartPages)
            self.writerFallbackPages = max(self.restartPages, writerFallbackPages)
        }
    }

    /// What one pass did.
    public struct Pass: Sendable, Hashable {
        /// Pages in the WAL, and how many of them are now in the database file.
        public var walPages: Int
        public var checkpointedPages: Int
        /// Whether the WAL was restarted (the next commit writes from its beginning).
        public var restarted: Bool
    }

    public let configuration: Configuration
    private let database: DatabasePool
    /// The passive checkpoints' own read-write connection: through the pool's writer they would
    /// queue behind (and hold up) the sends.
    private let connection: DatabaseQueue

    public init(database: DatabasePool, configuration: Configuration = Configuration()) throws {
        self.database = database
        self.configuration = configuration
        var connectionConfiguration = GRDB.Configuration()
        // Passive checkpoints never wait; this only covers opening the file.
        connectionConfiguration.busyMode = .timeout(5)
        connection = try DatabaseQueue(path: database.path, configuration: connectionConfiguration)
    }

    /// One passive checkpoint; a restart when the WAL is long.
    @discardableResult
    public func checkpoint() async throws -> Pass {
        let passive = try await connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        guard passive.walFrameCount >= configuration.restartPages else {
            return Pass(walPages: passive.walFrameCount, checkpointedPages: passive.checkpointedFrameCount, restarted: false)
        }
        // The restart goes through the writer's own queue, between two group commits: it never
        // competes with the writer for the write lock, and it copies only what the passive passes
        // left. (Run from this connection, a first version let the WAL grow past 200 MB under load.)
        let restart = try await database.writeWithoutTransaction { db in try db.checkpoint(.restart) }
        return Pass(walPages: restart.walFrameCount, checkpointedPages: restart.checkpointedFrameCount, restarted: true)
    }

    /// Sets the writer's own checkpoint threshold; `pages` 1,000 is SQLite's default.
    public func setWriterCheckpointThreshold(_ pages: Int) async throws {
        try await database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = \(pages)") }
    }

    public func run() async throws {
        try await setWriterCheckpointThreshold(configuration.writerFallbackPages)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: configuration.interval)
                // A failed pass (the disk, a busy time-out) is retried at the next tick; the
                // writer's fallback keeps the WAL bounded meanwhile.
                _ = try? await checkpoint()
            }
        }
        // Stopped: the writer checkpoints for itself again.
        try? await setWriterCheckpointThreshold(1_000)
    }
}
