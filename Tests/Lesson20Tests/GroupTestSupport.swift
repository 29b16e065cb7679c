// Lesson 20 tests: a real SQLite file with a few accounts and a GroupStore on it.

import Foundation
import IMCore
import IMGroup
import IMStore
import IMTestSupport

/// A fresh server database (lesson 02's tables) with `users` accounts and the group tables.
struct GroupDatabase {
    let store: GroupStore
    let users: [UserID]

    static func with<T>(
        users count: Int, configure: (inout GroupConfiguration) -> Void = { _ in },
        _ body: (GroupDatabase) async throws -> T
    ) async throws -> T {
        try await withTemporaryDirectory { directory in
            let base = try SQLiteStore(
                configuration: .init(path: directory.file("im.sqlite"), syncEveryCommit: false))
            var users: [UserID] = []
            for index in 0..<count {
                users.append(
                    try await base.createAccount(username: "user\(index)", displayName: "U\(index)", passwordHash: "x").id)
            }
            var configuration = GroupConfiguration()
            configure(&configuration)
            let store = try GroupStore(database: base.database, configuration: configuration)
            return try await body(GroupDatabase(store: store, users: users))
        }
    }
}

/// The `IMError` code `body` throws, or nil when it does not throw one.
func imErrorCode(_ body: () async throws -> Void) async -> ErrorCode? {
    do {
        try await body()
        return nil
    } catch let error as IMError {
        return error.code
    } catch {
        return nil
    }
}
