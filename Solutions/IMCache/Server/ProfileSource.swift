// Lesson 17: where profiles come from and go to — the store behind the cache.

import GRDB
import IMCore
import IMStore

/// The store's side of user profiles, as the profile cache needs it.
public protocol ProfileSource: Sendable {
    func user(_ id: UserID) async throws -> User?
    /// Changes `id`'s display name and returns the profile as committed; nil when no such user.
    func rename(_ id: UserID, to displayName: String) async throws -> User?
    /// The user ids above `after`, in order (to fill the Bloom filter, then to add new users).
    func userIDs(after: UserID) async throws -> [UserID]
}

/// Profiles in the server's SQLite file (lesson 02's `user` table).
public struct SQLiteProfileSource: ProfileSource {
    public let store: SQLiteStore

    public init(store: SQLiteStore) { self.store = store }

    public func user(_ id: UserID) async throws -> User? { try await store.user(id) }

    public func rename(_ id: UserID, to displayName: String) async throws -> User? {
        let changed = try await store.database.write { db in
            try db.execute(sql: "UPDATE user SET display_name = ? WHERE id = ?", arguments: [displayName, id.rawValue])
            return db.changesCount > 0
        }
        // The write has committed here; only now may the caller delete the cached copies.
        return changed ? try await store.user(id) : nil
    }

    public func userIDs(after: UserID) async throws -> [UserID] {
        try await store.database.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM user WHERE id > ? ORDER BY id", arguments: [after.rawValue])
                .map { UserID($0) }
        }
    }
}
