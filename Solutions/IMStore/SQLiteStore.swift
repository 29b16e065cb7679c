// Lesson 02: the durable store, on SQLite through GRDB.
//
// One file on disk, opened in WAL mode so that readers (history, polling) never wait for the
// writer. Every write that the server acknowledges is committed before the acknowledgement.

import Foundation
import GRDB
import IMCore
import Synchronization

/// Messages, the per-user index, recent contacts, accounts and sessions in one SQLite file.
public final class SQLiteStore: Sendable {
    /// How the store opens its file. The defaults run as they are.
    public struct Configuration: Sendable {
        /// The database file; its folder is created when missing.
        public var path: String
        /// `true` (the default) syncs every commit to disk, so an acknowledged message survives
        /// even a power loss. `false` (SQLite's `synchronous=NORMAL` in WAL mode) survives a crash
        /// of the process, not of the machine, and writes faster.
        public var syncEveryCommit: Bool
        /// How many readers may work at once.
        public var maximumReaderCount: Int
        /// Tables of later lessons, migrated after this store's own, in order.
        public var migrations: [StoreMigration]
        /// Bytes per database page, used when the file is created (an existing file keeps its
        /// own). A commit writes every page it changed, whole, to the WAL; a send changes one
        /// small row in each of about fifteen tables and indexes, so smaller pages mean fewer
        /// bytes written per send. 2 KiB instead of SQLite's 4 KiB halved the WAL traffic and
        /// lowered the tail latency (docs/BENCHMARKS.md, before/after 16).
        public var pageSize: Int

        public init(
            path: String, syncEveryCommit: Bool = true, maximumReaderCount: Int = 4, migrations: [StoreMigration] = [],
            pageSize: Int = 2_048
        ) {
            self.path = path
            self.syncEveryCommit = syncEveryCommit
            self.maximumReaderCount = maximumReaderCount
            self.migrations = migrations
            self.pageSize = pageSize
        }
    }

    /// The database, for later lessons that add tables and write in the same transactions.
    public let database: DatabasePool
    /// Ids of accounts known to exist. Accounts are never deleted, so an id found once stays
    /// valid: a send's recipient check is then answered without a database read (8 bytes per user).
    let knownUserIDs = Mutex<Set<Int64>>([])

    /// Opens (and creates or migrates) the store.
    public init(configuration: Configuration) throws {
        let folder = URL(fileURLWithPath: configuration.path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var config = GRDB.Configuration()
        config.maximumReaderCount = configuration.maximumReaderCount
        config.busyMode = .timeout(5)
        let synchronous = configuration.syncEveryCommit ? "FULL" : "NORMAL"
        let pageSize = configuration.pageSize
        config.prepareDatabase { db in
            // Takes effect only while the file is still empty; SQLite ignores it afterwards.
            try db.execute(sql: "PRAGMA page_size = \(pageSize)")
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            // Temporary data in memory, not in a file under /var/tmp. The largest such data is the
            // journal of a savepoint (lesson 09 runs every send of a group commit in one): every
            // page the send changes is copied there first. In a file, that was two `pwrite`
            // calls per page, ten times as many as the WAL itself got.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        database = try DatabasePool(path: configuration.path, configuration: config)
        var migrator = Schema.migrator
        for migration in configuration.migrations {
            migrator.registerMigration(migration.name, migrate: migration.migrate)
        }
        try migrator.migrate(database)
    }

    /// Convenience: a store at `path` with the default settings.
    public convenience init(path: String) throws {
        try self.init(configuration: Configuration(path: path))
    }
}

/// A named schema change contributed by a later lesson's module.
public struct StoreMigration: Sendable {
    public let name: String
    public let migrate: @Sendable (Database) throws -> Void

    public init(_ name: String, migrate: @escaping @Sendable (Database) throws -> Void) {
        self.name = name
        self.migrate = migrate
    }
}
