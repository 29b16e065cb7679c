// Lesson 02: accounts and sessions, in the same file as the messages.

import Foundation
import GRDB
import IMCore
import Synchronization

extension SQLiteStore: AccountStore {
    public func createAccount(username: String, displayName: String, passwordHash: String) async throws -> User {
        do {
            return try await database.write { db in
                try db.execute(
                    sql: "INSERT INTO user (username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [username, displayName, passwordHash, currentMilliseconds()])
                return User(id: UserID(db.lastInsertedRowID), username: username, displayName: displayName)
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw IMError(.conflict, "username \(username) is taken")
        }
    }

    public func account(username: String) async throws -> Account? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM user WHERE username = ?", arguments: [username]).map { row in
                Account(user: Self.user(from: row), passwordHash: row["password_hash"])
            }
        }
    }

    public func user(_ id: UserID) async throws -> User? {
        try await database.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM user WHERE id = ?"), arguments: [id.rawValue])
                .map(Self.user(from:))
        }
    }

    public func userExists(_ id: UserID) async throws -> Bool {
        if knownUserIDs.withLock({ $0.contains(id.rawValue) }) { return true }
        let exists = try await database.read { db in
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM user WHERE id = ?)"), arguments: [id.rawValue]) ?? false
        }
        if exists { knownUserIDs.withLock { _ = $0.insert(id.rawValue) } }
        return exists
    }

    public func users(_ ids: [UserID]) async throws -> [UserID: User] {
        guard !ids.isEmpty else { return [:] }
        let unique = Array(Set(ids.map(\.rawValue)))
        return try await database.read { db in
            let placeholders = databaseQuestionMarks(count: unique.count)
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM user WHERE id IN (\(placeholders))", arguments: StatementArguments(unique))
            return Dictionary(
                uniqueKeysWithValues: rows.map { row in
                    let user = Self.user(from: row); return (user.id, user)
                })
        }
    }

    public func directory(excluding: UserID, limit: Int) async throws -> [User] {
        try await database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM user WHERE id != ? ORDER BY username LIMIT ?", arguments: [excluding.rawValue, limit]
            ).map(Self.user(from:))
        }
    }

    public func createSession(tokenHash: [UInt8], session: Session) async throws {
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO session (token_hash, user_id, device_id, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [Data(tokenHash), session.userID.rawValue, session.deviceID.rawValue, session.expiresAt])
        }
    }

    public func session(tokenHash: [UInt8]) async throws -> Session? {
        try await database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM session WHERE token_hash = ?", arguments: [Data(tokenHash)]),
                let device = DeviceID(rawValue: row["device_id"])
            else { return nil }
            return Session(userID: UserID(row["user_id"]), deviceID: device, expiresAt: row["expires_at"])
        }
    }

    public func deleteSession(tokenHash: [UInt8]) async throws {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM session WHERE token_hash = ?", arguments: [Data(tokenHash)])
        }
    }

    static func user(from row: Row) -> User {
        User(id: UserID(row["id"]), username: row["username"], displayName: row["display_name"])
    }
}
