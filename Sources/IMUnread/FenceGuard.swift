// LESSON 07 STARTER, generated from Solutions/IMUnread/FenceGuard.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 07: the other half of a fencing token — the data refuses writes from an old holder.

import CourseSupport
import GRDB

/// A write refused because a newer holder of the lock has already written.
public struct StaleFenceError: Error, Hashable, Sendable, CustomStringConvertible {
    public let resource: String
    public let presented: Int64
    public let seen: Int64

    public var description: String {
        "stale fencing token \(presented) for \(resource): token \(seen) has already written; this holder lost its lease"
    }
}

/// Remembers, per protected resource, the largest fencing token that has written to it.
///
/// Table:
///   fence_guard  (resource, fence): the largest token accepted for each resource
public enum FenceGuard {
    public static func createTables(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS fence_guard (
                    resource TEXT PRIMARY KEY,
                    fence INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
    }

    /// Call in the same transaction as the write it guards: throws `StaleFenceError` when `fence`
    /// is smaller than a token `resource` has already accepted, and otherwise remembers `fence`.
    /// The same token may write again (a holder writes many times under one lease).
    public static func admit(_ fence: Int64, to resource: String, _ db: Database) throws {
        // BEGIN EXERCISE 07.4: Refuse a token smaller than the largest this resource has accepted; otherwise remember the larger of the two.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 07
        throw Exercise.notImplemented("07.4", expected: "a token below the largest one accepted for the resource refused with StaleFenceError; an equal or larger one admitted and remembered")
        // END EXERCISE 07.4
    }
}
