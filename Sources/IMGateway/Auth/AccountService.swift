// LESSON 03 STARTER, generated from Solutions/IMGateway/Auth/AccountService.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03: registering, logging in and checking session tokens.
//
// Passwords are hashed with bcrypt (slow on purpose, salted per password). Session tokens are
// 32 random bytes given to the client once; the server keeps only their SHA-256, so a stolen
// database does not contain usable tokens.

import Crypto
import Foundation
import HummingbirdBcrypt
import IMCore
import NIOPosix

/// Who a request comes from, once its token was checked.
public struct Identity: Sendable, Hashable {
    public let userID: UserID
    public let deviceID: DeviceID
    /// SHA-256 of the token, to revoke it at logout.
    let tokenHash: [UInt8]
}

/// The answer to a successful register or login.
public struct LoginResult: Sendable, Codable {
    public let user: User
    public let token: String
    public let deviceID: DeviceID
}

/// Accounts and session tokens.
public struct AccountService: Sendable {
    let store: any AccountStore
    let configuration: GatewayConfiguration
    /// A valid hash at the configured cost, checked when the username is unknown so that the
    /// answer takes as long as for a known user.
    private let decoyHash: String

    public init(store: any AccountStore, configuration: GatewayConfiguration = GatewayConfiguration()) {
        self.store = store
        self.configuration = configuration
        self.decoyHash = Bcrypt.hash(UUID().uuidString, cost: configuration.passwordHashCost)
    }

    /// Creates an account and logs it in on a new device.
    public func register(username: String, password: String, displayName: String?, deviceID: DeviceID? = nil) async throws
        -> LoginResult
    {
        try Self.validate(username: username)
        try Self.validate(password: password)
        let name = (displayName ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard name.count <= 64 else { throw IMError.invalidArgument("display name is longer than 64 characters") }
        let hash = try await hashPassword(password)
        let user = try await store.createAccount(
            username: username, displayName: name.isEmpty ? username : name, passwordHash: hash)
        return try await startSession(for: user, deviceID: deviceID)
    }

    /// Checks a password and starts a session. Wrong user and wrong password look the same.
    public func login(username: String, password: String, deviceID: DeviceID?) async throws -> LoginResult {
        let account = try await store.account(username: username)
        // Verify against a fixed hash when the user does not exist, so timing does not tell.
        let hash = account?.passwordHash ?? decoyHash
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
        guard let account, matches else { throw IMError(.unauthorized, "wrong username or password") }
        return try await startSession(for: account.user, deviceID: deviceID)
    }

    /// The identity behind a token, or `unauthorized`.
    public func authenticate(token: String) async throws -> Identity {
        guard !token.isEmpty, token.utf8.count <= 256 else { throw IMError.unauthorized }
        let hash = Self.hash(token: token)
        guard let session = try await store.session(tokenHash: hash), session.expiresAt > currentMilliseconds() else {
            throw IMError.unauthorized
        }
        return Identity(userID: session.userID, deviceID: session.deviceID, tokenHash: hash)
    }

    /// Revokes the token of `identity`.
    public func logout(_ identity: Identity) async throws {
        try await store.deleteSession(tokenHash: identity.tokenHash)
    }

    // MARK: Helpers

    private func startSession(for user: User, deviceID: DeviceID?) async throws -> LoginResult {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let token = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let device = deviceID ?? DeviceID(rawValue: "d-" + token.prefix(10).replacingOccurrences(of: "_", with: "x"))!
        let lifetime = configuration.sessionLifetime / .milliseconds(1)
        try await store.createSession(
            tokenHash: Self.hash(token: token),
            session: Session(userID: user.id, deviceID: device, expiresAt: currentMilliseconds() + Int64(lifetime)))
        return LoginResult(user: user, token: token, deviceID: device)
    }

    private func hashPassword(_ password: String) async throws -> String {
        let cost = configuration.passwordHashCost
        // bcrypt blocks its thread for tens of milliseconds: keep it off the event loops.
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    static func hash(token: String) -> [UInt8] { Array(SHA256.hash(data: Data(token.utf8))) }

    static func validate(username: String) throws {
        let allowed = username.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
        guard (3...32).contains(username.utf8.count), allowed else {
            throw IMError.invalidArgument("username must be 3 to 32 characters of a-z, 0-9, _ . -")
        }
    }

    static func validate(password: String) throws {
        guard (8...128).contains(password.count) else {
            throw IMError.invalidArgument("password must have 8 to 128 characters")
        }
    }
}
