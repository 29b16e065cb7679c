// LESSON 05 STARTER, generated from Solutions/IMSequence/SequenceSections.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 05: where the allocator's bounds live — one row per key, written once per step.

import GRDB

/// The persisted upper bounds of `SequenceAllocator`, in the `seq_section` table.
public enum SequenceSections {
    /// Creates the table (part of the server's migrations).
    public static func createTable(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS seq_section (
                    key TEXT PRIMARY KEY,
                    max_seq INTEGER NOT NULL
                ) WITHOUT ROWID
                """)
    }

    /// The persisted bound of `key`, or 0 when none was ever written.
    public static func maximum(of key: String, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT max_seq FROM seq_section WHERE key = ?"), arguments: [key]) ?? 0
    }

    /// Raises the bound of `key` to `maximum`. A bound never goes down, even if two writers race.
    public static func raise(_ key: String, to maximum: Int64, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO seq_section (key, max_seq) VALUES (?, ?)
                ON CONFLICT (key) DO UPDATE SET max_seq = MAX(max_seq, excluded.max_seq)
                """
        ).execute(arguments: [key, maximum])
    }
}
