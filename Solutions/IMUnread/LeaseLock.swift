// Lesson 07: a lock that several workers (processes, machines) share, and what keeps it honest.
//
// A lock held across machines cannot be held forever, because its holder may die. So it is a
// lease: taken for a while, renewed while its holder works, and free for another worker once it
// expires. That is not enough on its own. A holder can be paused (a long GC, a stopped VM, a disk
// that hangs) for longer than its lease, and then wake up still believing it holds the lock. The
// lease cannot stop that write. A fencing token can: every new holder gets a larger number, and
// the data the lock protects refuses a write that carries a smaller number than one it has
// already accepted (`FenceGuard`). Redis's SET NX PX gives the lease; the token is what it lacks.
//
// Here the lease is a row in the same SQLite file (one writer at a time, so the read-then-write
// below is atomic); lesson 18 moves the same rules to PostgreSQL.
//
// Table:
//   lease  (name, holder, fence, expires_at): the current holder of each lock, and the last token

import CourseSupport
import GRDB

/// A lock held until `expiresAt` (milliseconds), with the fencing token to show on every write.
public struct Lease: Hashable, Sendable {
    public let name: String
    public let holder: String
    /// Larger for every new holder of the same lock; the same across renewals by one holder.
    public let fence: Int64
    public let expiresAt: Int64

    public init(name: String, holder: String, fence: Int64, expiresAt: Int64) {
        self.name = name
        self.holder = holder
        self.fence = fence
        self.expiresAt = expiresAt
    }
}

/// Leases with fencing tokens. Every function runs inside the caller's write transaction.
public enum LeaseLock {
    public static func createTables(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS lease (
                    name TEXT PRIMARY KEY,
                    holder TEXT NOT NULL,
                    fence INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL
                );
                """)
        try FenceGuard.createTables(db)
    }

    /// Takes or renews the lock `name` for `holder` until `now + duration` (milliseconds), or
    /// returns nil while another holder's lease is still running.
    ///
    /// A lock nobody ever held starts at token 1. A new holder (after an expiry or a release) gets
    /// the previous token + 1. A holder renewing a lease that has not expired keeps its token; one
    /// whose lease expired is a new holder, because someone else may have held it in between.
    public static func acquire(_ name: String, holder: String, for duration: Int64, now: Int64, _ db: Database) throws
        -> Lease?
    {
        // BEGIN EXERCISE 07.3: Take the lease when it is free, expired or ours; a new holder gets the last token + 1, a renewal keeps its token.
        let expiresAt = now + duration
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT holder, fence, expires_at FROM lease WHERE name = ?", arguments: [name])
        else {
            try db.execute(
                sql: "INSERT INTO lease (name, holder, fence, expires_at) VALUES (?, ?, 1, ?)",
                arguments: [name, holder, expiresAt])
            return Lease(name: name, holder: holder, fence: 1, expiresAt: expiresAt)
        }
        let current: String = row["holder"]
        let fence: Int64 = row["fence"]
        let running = (row["expires_at"] as Int64) > now
        if running && current != holder { return nil }
        let granted = running ? fence : fence + 1
        try db.execute(
            sql: "UPDATE lease SET holder = ?, fence = ?, expires_at = ? WHERE name = ?",
            arguments: [holder, granted, expiresAt, name])
        return Lease(name: name, holder: holder, fence: granted, expiresAt: expiresAt)
        // STUB: throw Exercise.notImplemented("07.3", expected: "a free, expired or own lock granted (token 1 for a new lock, last token + 1 for a new holder, the same token on renewal); nil while another holder's lease runs")
        // END EXERCISE 07.3
    }

    /// Gives the lock up early, if `lease` is still the current one. The row stays, expired, so
    /// that the next holder's token is still larger than every token handed out before.
    public static func release(_ lease: Lease, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE lease SET expires_at = 0 WHERE name = ? AND holder = ? AND fence = ?",
            arguments: [lease.name, lease.holder, lease.fence])
    }
}
