// Lesson 09: the per-user timeline on SQLite — append with a link, page from a version, cap.
//
// timeline       one row per (user, version): a message or a read mark, and the version before it
// timeline_head  the newest version per user: the link the next entry points back to
//
// The table is also the offline store: a device that was away syncs from its last version. It
// is capped by count and age, like production offline stores; a device whose gap was evicted is
// told to reset instead of silently missing entries.

import CourseSupport
import GRDB
import IMCore
import IMStore

/// How much of each timeline is kept for devices that are offline.
public struct TimelineRetention: Sendable, Hashable {
    /// Entries kept per user (about: eviction runs every `evictionInterval` appends).
    public var maxEntries: Int
    /// Entries older than this are evicted.
    public var maxAge: Duration
    /// Eviction runs when a user's version is a multiple of this, to keep appends cheap.
    public var evictionInterval: Int64

    public init(maxEntries: Int = 1_000, maxAge: Duration = .seconds(7 * 24 * 3600), evictionInterval: Int64 = 32) {
        self.maxEntries = max(1, maxEntries)
        self.maxAge = maxAge
        self.evictionInterval = max(1, evictionInterval)
    }
}

/// Reads and writes users' timelines inside the caller's transaction.
public enum Timeline {
    /// Creates the tables (part of the server's migrations).
    public static func createTables(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS timeline (
                    user_id INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    prev_version INTEGER NOT NULL,
                    kind INTEGER NOT NULL, -- 0 message, 1 read mark
                    message_id INTEGER,
                    conversation_id TEXT,
                    read_seq INTEGER,
                    unread INTEGER,
                    total_unread INTEGER,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (user_id, version)
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS timeline_head (
                    user_id INTEGER PRIMARY KEY,
                    version INTEGER NOT NULL
                );
                """)
    }

    /// The newest version of `user`'s timeline, 0 when it has none.
    public static func head(of user: UserID, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT version FROM timeline_head WHERE user_id = ?"), arguments: [user.rawValue]) ?? 0
    }

    /// Appends a message entry numbered `version` to `user`'s timeline; returns it.
    public static func appendMessage(
        _ message: Message, for user: UserID, version: Int64, createdAt: Int64, _ db: Database
    ) throws -> TimelineEntry {
        let previous = try link(user, to: version, db)
        try db.cachedStatement(
            sql: """
                INSERT INTO timeline (user_id, version, prev_version, kind, message_id, conversation_id, created_at)
                VALUES (?, ?, ?, 0, ?, ?, ?)
                """
        ).execute(arguments: [
            user.rawValue, version, previous, message.id.rawValue, message.conversationID.rawValue, createdAt,
        ])
        return TimelineEntry(version: version, prevVersion: previous, message: message)
    }

    /// Appends a read-mark entry numbered `version` to `user`'s timeline; returns it.
    public static func appendRead(
        _ receipt: ReadReceipt, for user: UserID, version: Int64, createdAt: Int64, _ db: Database
    ) throws -> TimelineEntry {
        let previous = try link(user, to: version, db)
        try db.cachedStatement(
            sql: """
                INSERT INTO timeline (user_id, version, prev_version, kind, conversation_id, read_seq, unread,
                                      total_unread, created_at)
                VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            user.rawValue, version, previous, receipt.conversationID.rawValue, receipt.readSeq, receipt.unread,
            receipt.totalUnread, createdAt,
        ])
        return TimelineEntry(version: version, prevVersion: previous, read: receipt)
    }

    /// Makes `version` the head of `user`'s timeline and returns the head it replaces: the new
    /// entry's `prevVersion`. Versions only go up.
    static func link(_ user: UserID, to version: Int64, _ db: Database) throws -> Int64 {
        // BEGIN EXERCISE 09.1: Read the user's head (0 if none), refuse a version that is not above it, store the new head, return the old one.
        let previous = try head(of: user, db)
        guard version > previous else {
            throw IMError(.internal, "timeline version \(version) of user \(user) is not above its head \(previous)")
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO timeline_head (user_id, version) VALUES (?, ?)
                ON CONFLICT (user_id) DO UPDATE SET version = excluded.version
                """
        ).execute(arguments: [user.rawValue, version])
        return previous
        // STUB: throw Exercise.notImplemented("09.1", expected: "the previous head returned (0 for a new user) and the head moved up to `version`; a version not above the head refused")
        // END EXERCISE 09.1
    }

    /// Up to `limit` entries of `user`'s timeline after `version`, oldest first, or a reset
    /// reason when the entries right after `version` are no longer kept.
    public static func page(of user: UserID, after version: Int64, limit: Int, _ db: Database) throws -> TimelinePage {
        let head = try head(of: user, db)
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT t.version AS t_version, t.prev_version AS t_prev, t.kind AS t_kind,
                           t.conversation_id AS t_conversation, t.read_seq AS t_read_seq, t.unread AS t_unread,
                           t.total_unread AS t_total, m.*
                    FROM timeline AS t LEFT JOIN message AS m ON m.id = t.message_id
                    WHERE t.user_id = ? AND t.version > ?
                    ORDER BY t.version
                    LIMIT ?
                    """), arguments: [user.rawValue, version, limit + 1])
        // BEGIN EXERCISE 09.2: Decide: up to date, a reset (the device is ahead of the head, or the entry after its version is gone), or a page.
        if version == head { return TimelinePage(entries: [], hasMore: false, head: head) }
        if version > head {
            return TimelinePage(
                entries: [], hasMore: false, head: head,
                resetReason: "version \(version) is ahead of this timeline (head \(head)); it was not issued here")
        }
        guard let first = rows.first, first["t_prev"] as Int64 == version else {
            return TimelinePage(
                entries: [], hasMore: false, head: head,
                resetReason: "the entries after version \(version) are no longer kept (offline store is capped)")
        }
        let entries = try rows.prefix(limit).map(entry(from:))
        return TimelinePage(entries: entries, hasMore: rows.count > limit, head: head)
        // STUB: throw Exercise.notImplemented("09.2", expected: "no entries when up to date; a reset when `after` is ahead of the head or the first entry after it does not link back to it; otherwise the page")
        // END EXERCISE 09.2
    }

    /// Drops entries beyond the retained count or age. Runs every `evictionInterval` versions.
    public static func evictIfDue(
        _ user: UserID, version: Int64, retention: TimelineRetention, now: Int64, _ db: Database
    ) throws {
        guard version % retention.evictionInterval == 0 else { return }
        try db.cachedStatement(
            sql: """
                DELETE FROM timeline WHERE user_id = ? AND version <= (
                    SELECT version FROM timeline WHERE user_id = ? ORDER BY version DESC LIMIT 1 OFFSET ?)
                """
        ).execute(arguments: [user.rawValue, user.rawValue, retention.maxEntries])
        let oldest = now - Int64(retention.maxAge / .milliseconds(1))
        try db.cachedStatement(
            sql: """
                DELETE FROM timeline WHERE user_id = ? AND created_at < ? AND version IN (
                    SELECT version FROM timeline WHERE user_id = ? ORDER BY version LIMIT 512)
                """
        ).execute(arguments: [user.rawValue, oldest, user.rawValue])
    }

    static func entry(from row: Row) throws -> TimelineEntry {
        let version: Int64 = row["t_version"]
        let previous: Int64 = row["t_prev"]
        if row["t_kind"] as Int == 0 {
            return TimelineEntry(version: version, prevVersion: previous, message: try SQLiteStore.message(from: row))
        }
        let receipt = ReadReceipt(
            conversationID: try SQLiteStore.conversation(row["t_conversation"]), unread: row["t_unread"],
            totalUnread: row["t_total"], readSeq: row["t_read_seq"])
        return TimelineEntry(version: version, prevVersion: previous, read: receipt)
    }
}
