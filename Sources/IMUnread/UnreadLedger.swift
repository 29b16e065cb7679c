// LESSON 07 STARTER, generated from Solutions/IMUnread/UnreadLedger.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 07: unread counts that always add up.
//
// A user sees two numbers: the badge per conversation and the total on the app icon. They are
// caches of one set — the incoming messages not read yet — so they must change together: an
// increment of one without the other, or a "clear" that runs between the two steps of an
// increment, leaves the badge and the total disagreeing forever.
//
// Here every change to a user's unread state happens inside ONE SQLite transaction, which the
// caller opens (the message insert and its unread increment share it). In Redis the field uses
// MULTI/EXEC around HINCRBY + INCRBY, or a Lua script that reads, clears and subtracts in one step.
//
// Tables:
//   unread_message  the set itself: (user, conversation, seq) of each incoming message not read
//   unread_counter  its count per (user, conversation)
//   unread_total    its count per user

import CourseSupport
import GRDB
import IMCore

/// A user's unread counts, read in one snapshot.
public struct UnreadSummary: Hashable, Sendable {
    public let total: Int
    public let byConversation: [ConversationID: Int]

    public init(total: Int, byConversation: [ConversationID: Int]) {
        self.total = total
        self.byConversation = byConversation
    }

    /// The sum of the per-conversation counts (must always equal `total`).
    public var sumOfParts: Int { byConversation.values.reduce(0, +) }
}

/// Atomic unread bookkeeping. Every function runs inside the caller's write transaction.
public enum UnreadLedger {
    /// Creates the tables (part of the server's migrations).
    public static func createTables(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS unread_message (
                    user_id INTEGER NOT NULL,
                    conversation_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    PRIMARY KEY (user_id, conversation_id, seq)
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS unread_counter (
                    user_id INTEGER NOT NULL,
                    conversation_id TEXT NOT NULL,
                    unread INTEGER NOT NULL,
                    PRIMARY KEY (user_id, conversation_id)
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS unread_total (
                    user_id INTEGER PRIMARY KEY,
                    total INTEGER NOT NULL
                );
                """)
    }

    /// Counts one more unread message, numbered `seq`, for `user` in `conversation`.
    /// Recording the same message twice changes nothing.
    public static func recordIncoming(for user: UserID, in conversation: ConversationID, seq: Int64, _ db: Database)
        throws
    {
        // BEGIN EXERCISE 07.1: Add the message to the unread set; only if it was new, add 1 to its conversation's counter and to the user's total.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 07
        throw Exercise.notImplemented("07.1", expected: "the message added to unread_message once, and unread_counter and unread_total both + 1 in the same transaction")
        // END EXERCISE 07.1
    }

    /// Marks `conversation` read for `user` up to `seq` (everything when nil). Messages numbered
    /// above `seq` stay unread: they arrived after what the reader saw, and a read mark must not
    /// wipe them. Returns the conversation's remaining unread count and the user's new total.
    @discardableResult
    public static func markRead(
        for user: UserID, in conversation: ConversationID, upTo seq: Int64?, _ db: Database
    ) throws -> (unread: Int, total: Int) {
        // BEGIN EXERCISE 07.2: Remove the messages up to `seq` from the set and subtract exactly that many from both counters.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 07
        throw Exercise.notImplemented("07.2", expected: "the read messages removed from unread_message, and exactly that many subtracted from unread_counter and unread_total in the same transaction")
        // END EXERCISE 07.2
    }

    /// `user`'s unread count in `conversation`.
    public static func unread(of user: UserID, in conversation: ConversationID, _ db: Database) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT unread FROM unread_counter WHERE user_id = ? AND conversation_id = ?"),
            arguments: [user.rawValue, conversation.rawValue]) ?? 0
    }

    /// `user`'s total unread count.
    public static func total(of user: UserID, _ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT total FROM unread_total WHERE user_id = ?"), arguments: [user.rawValue])
            ?? 0
    }

    /// `user`'s total and per-conversation counts, from one snapshot.
    public static func summary(of user: UserID, _ db: Database) throws -> UnreadSummary {
        var parts: [ConversationID: Int] = [:]
        for row in try Row.fetchAll(
            db.cachedStatement(sql: "SELECT conversation_id, unread FROM unread_counter WHERE user_id = ? AND unread > 0"),
            arguments: [user.rawValue])
        {
            if let conversation = ConversationID(rawValue: row["conversation_id"]) { parts[conversation] = row["unread"] }
        }
        return UnreadSummary(total: try total(of: user, db), byConversation: parts)
    }

    // MARK: The read watermark

    /// Creates `read_watermark`: per (user, conversation), the highest seq the user has read.
    public static func createWatermarkTable(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS read_watermark (
                    user_id INTEGER NOT NULL,
                    conversation_id TEXT NOT NULL,
                    read_seq INTEGER NOT NULL,
                    PRIMARY KEY (user_id, conversation_id)
                ) WITHOUT ROWID;
                """)
    }

    /// Moves `user`'s read watermark in `conversation` up to `seq` and returns it. It never goes
    /// back: a read mark that arrives late, with a lower seq, leaves it where it is, as it leaves
    /// the unread set. So a receipt always says how far the user has read, whatever the order.
    public static func advanceReadWatermark(
        for user: UserID, in conversation: ConversationID, to seq: Int64, _ db: Database
    ) throws -> Int64 {
        try db.cachedStatement(
            sql: """
                INSERT INTO read_watermark (user_id, conversation_id, read_seq) VALUES (?, ?, ?)
                ON CONFLICT (user_id, conversation_id) DO UPDATE SET read_seq = max(read_seq, excluded.read_seq)
                """
        ).execute(arguments: [user.rawValue, conversation.rawValue, seq])
        return try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT read_seq FROM read_watermark WHERE user_id = ? AND conversation_id = ?"),
            arguments: [user.rawValue, conversation.rawValue]) ?? seq
    }

    // MARK: Repair: one worker at a time, and never an old one

    /// The lease a repair worker holds while it recounts a user's badges.
    public static let repairLease = "unread-repair"

    /// `user`'s unread count per conversation, counted from the set itself: what the counters
    /// must say. A repair worker reads this, then writes it with `writeRepairedCounts`.
    public static func countFromSet(of user: UserID, _ db: Database) throws -> [ConversationID: Int] {
        var counts: [ConversationID: Int] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT conversation_id, COUNT(*) AS unread FROM unread_message WHERE user_id = ? GROUP BY conversation_id",
            arguments: [user.rawValue])
        {
            if let conversation = ConversationID(rawValue: row["conversation_id"]) { counts[conversation] = row["unread"] }
        }
        return counts
    }

    /// Replaces `user`'s counters and total with `counts`, which a repair worker counted under the
    /// lease `repairLease`, and shows that lease's fencing token. A worker that was paused past its
    /// lease counted before newer messages arrived; its write is refused with `StaleFenceError`
    /// instead of overwriting the newer holder's counts with old ones. Needs `LeaseLock.createTables`.
    public static func writeRepairedCounts(
        _ counts: [ConversationID: Int], for user: UserID, fence: Int64, _ db: Database
    ) throws {
        try FenceGuard.admit(fence, to: "unread:\(user.rawValue)", db)
        try db.execute(sql: "DELETE FROM unread_counter WHERE user_id = ?", arguments: [user.rawValue])
        for (conversation, unread) in counts where unread > 0 {
            try db.execute(
                sql: "INSERT INTO unread_counter (user_id, conversation_id, unread) VALUES (?, ?, ?)",
                arguments: [user.rawValue, conversation.rawValue, unread])
        }
        try db.execute(
            sql:
                "INSERT INTO unread_total (user_id, total) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET total = excluded.total",
            arguments: [user.rawValue, counts.values.reduce(0, +)])
    }

    /// Changes the conversation counter and the total by the same amount.
    private static func adjust(_ user: UserID, _ conversation: ConversationID, by delta: Int, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO unread_counter (user_id, conversation_id, unread) VALUES (?, ?, ?)
                ON CONFLICT (user_id, conversation_id) DO UPDATE SET unread = unread + excluded.unread
                """
        ).execute(arguments: [user.rawValue, conversation.rawValue, delta])
        try db.cachedStatement(
            sql: """
                INSERT INTO unread_total (user_id, total) VALUES (?, ?)
                ON CONFLICT (user_id) DO UPDATE SET total = total + excluded.total
                """
        ).execute(arguments: [user.rawValue, delta])
    }
}
