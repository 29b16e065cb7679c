// LESSON 01 STARTER, generated from Solutions/IMCore/Model/User.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 01: a user as other users see it.

/// A user's public profile. Passwords and sessions are kept elsewhere (`AccountStore`).
public struct User: Hashable, Sendable, Codable {
    public let id: UserID
    public let username: String
    public let displayName: String

    public init(id: UserID, username: String, displayName: String) {
        self.id = id
        self.username = username
        self.displayName = displayName
    }
}
