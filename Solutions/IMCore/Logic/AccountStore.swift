// Lesson 01: what the logic layer needs to know about accounts and sessions.

/// A stored account: the public profile and the password hash.
public struct Account: Hashable, Sendable {
    public let user: User
    public let passwordHash: String

    public init(user: User, passwordHash: String) {
        self.user = user
        self.passwordHash = passwordHash
    }
}

/// A logged-in device. The token itself is never stored, only its hash.
public struct Session: Hashable, Sendable {
    public let userID: UserID
    public let deviceID: DeviceID
    /// Milliseconds since 1970 after which the session is no longer valid.
    public let expiresAt: Int64

    public init(userID: UserID, deviceID: DeviceID, expiresAt: Int64) {
        self.userID = userID
        self.deviceID = deviceID
        self.expiresAt = expiresAt
    }
}

/// Storage of accounts and sessions.
public protocol AccountStore: Sendable {
    /// Creates an account; throws `IMError` `conflict` when the username is taken.
    func createAccount(username: String, displayName: String, passwordHash: String) async throws -> User
    func account(username: String) async throws -> Account?
    func user(_ id: UserID) async throws -> User?
    func users(_ ids: [UserID]) async throws -> [UserID: User]
    /// Every user but `excluding`, by username, at most `limit`.
    func directory(excluding: UserID, limit: Int) async throws -> [User]

    func createSession(tokenHash: [UInt8], session: Session) async throws
    func session(tokenHash: [UInt8]) async throws -> Session?
    func deleteSession(tokenHash: [UInt8]) async throws
    /// Whether an account with this id exists (checked on every send, so stores may answer it
    /// from memory: accounts are never deleted).
    func userExists(_ id: UserID) async throws -> Bool
}

extension AccountStore {
    public func userExists(_ id: UserID) async throws -> Bool { try await user(id) != nil }
}
