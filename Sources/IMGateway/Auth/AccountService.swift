// LESSON 03 STARTER, generated from Solutions/IMGateway/Auth/AccountService.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03: registering, logging in and checking session tokens.
//
// Passwords are hashed with bcrypt (slow on purpose, salted per password). Each session has a
// secret of 32 random bytes; the server keeps only its SHA-256, so a stolen database does not
// contain usable tokens. How the secret reaches the client is the token format's business:
// as it is (lesson 03), or inside a signed, expiring token (lesson 06).

import Crypto
import Foundation
import HummingbirdBcrypt
import IMCore
import NIOPosix

/// Who a request comes from, once its token was checked.
public struct Identity: Sendable, Hashable {
    public let userID: UserID
    public let deviceID: DeviceID
    /// SHA-256 of the session secret, to revoke the session at logout.
    let tokenHash: [UInt8]
    /// Lesson 06: a fresh token when the one presented is past half its life (nil otherwise).
    public let refreshedToken: String?
    /// The session secret and its end, to make fresh tokens.
    let secret: String
    let sessionExpiresAt: Int64
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
    /// How sessions are written into tokens (lesson 03: opaque; lesson 06: signed).
    public let tokenFormat: any SessionTokenFormat
    /// Failed logins per account and address, shared by every copy of this service.
    let loginThrottle: LoginThrottleGate
    /// A valid hash at the configured cost, checked when the username is unknown so that the
    /// answer takes as long as for a known user.
    private let decoyHash: String

    public init(
        store: any AccountStore, configuration: GatewayConfiguration = GatewayConfiguration(),
        tokenFormat: any SessionTokenFormat = OpaqueTokenFormat()
    ) {
        self.store = store
        self.configuration = configuration
        self.tokenFormat = tokenFormat
        self.decoyHash = Bcrypt.hash(UUID().uuidString, cost: configuration.passwordHashCost)
        self.loginThrottle = LoginThrottleGate(configuration: configuration.loginThrottle)
    }

    /// Creates an account and logs it in on a new device.
    public func register(username: String, password: String, displayName: String?, deviceID: DeviceID? = nil) async throws
        -> LoginResult
    {
        try Self.validate(username: username)
        try Self.validate(password: password)
        let name = (displayName ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard name.count <= 64 else { throw IMError.invalidArgument("display name is longer than 64 characters") }
        // As for message bodies: SQLite would hand back a name cut at U+0000.
        guard !name.unicodeScalars.contains("\u{0}") else {
            throw IMError.invalidArgument("display name contains U+0000 (NUL), which is not allowed")
        }
        let hash = try await hashPassword(password)
        let user = try await store.createAccount(
            username: username, displayName: name.isEmpty ? username : name, passwordHash: hash)
        return try await startSession(for: user, deviceID: deviceID)
    }

    /// Checks a password and starts a session. Wrong user and wrong password look the same.
    /// `address` is the client's address: failed logins are counted per account and per address,
    /// and too many are answered `rate_limited` without checking the password (`LoginThrottle`).
    public func login(username: String, password: String, deviceID: DeviceID?, address: String? = nil) async throws
        -> LoginResult
    {
        if case .refused(let wait) = loginThrottle.check(account: username, address: address) {
            let seconds = Int((wait / .seconds(1)).rounded(.up))
            throw IMError(
                .rateLimited, "too many failed logins; try again in \(seconds) s", retryAfter: max(1, seconds))
        }
        let account = try await store.account(username: username)
        // Verify against a fixed hash when the user does not exist, so timing does not tell.
        let hash = account?.passwordHash ?? decoyHash
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
        guard let account, matches else {
            loginThrottle.recordFailure(account: username, address: address)
            throw IMError(.unauthorized, "wrong username or password")
        }
        loginThrottle.recordSuccess(account: username, address: address)
        return try await startSession(for: account.user, deviceID: deviceID)
    }

    /// The identity behind a token, or `unauthorized`. The format checks the token first
    /// (signature, expiry) without touching the store; the session row then says whether the
    /// session still exists, so that logout revokes at once.
    public func authenticate(token: String) async throws -> Identity {
        guard !token.isEmpty, token.utf8.count <= 2048 else { throw IMError.unauthorized }
        let now = currentMilliseconds()
        let opened = try tokenFormat.open(token, now: now)
        let hash = Self.hash(token: opened.secret)
        guard let session = try await store.session(tokenHash: hash), session.expiresAt > now,
            opened.userID.map({ $0 == session.userID }) ?? true,
            opened.deviceID.map({ $0 == session.deviceID }) ?? true
        else {
            throw IMError.unauthorized
        }
        let refreshed =
            opened.refreshDue
            ? tokenFormat.makeToken(
                for: SessionGrant(
                    secret: opened.secret, userID: session.userID, deviceID: session.deviceID, issuedAt: now,
                    sessionExpiresAt: session.expiresAt)) : nil
        return Identity(
            userID: session.userID, deviceID: session.deviceID, tokenHash: hash, refreshedToken: refreshed,
            secret: opened.secret, sessionExpiresAt: session.expiresAt)
    }

    /// A fresh token for the session of `identity` (lesson 06: `POST /api/v1/session/refresh`).
    public func renewToken(for identity: Identity) -> String {
        tokenFormat.makeToken(
            for: SessionGrant(
                secret: identity.secret, userID: identity.userID, deviceID: identity.deviceID,
                issuedAt: currentMilliseconds(), sessionExpiresAt: identity.sessionExpiresAt))
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
        let secret = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let device = deviceID ?? DeviceID(rawValue: "d-" + secret.prefix(10).replacingOccurrences(of: "_", with: "x"))!
        let lifetime = configuration.sessionLifetime / .milliseconds(1)
        let now = currentMilliseconds()
        let expiresAt = now + Int64(lifetime)
        try await store.createSession(
            tokenHash: Self.hash(token: secret), session: Session(userID: user.id, deviceID: device, expiresAt: expiresAt))
        let token = tokenFormat.makeToken(
            for: SessionGrant(secret: secret, userID: user.id, deviceID: device, issuedAt: now, sessionExpiresAt: expiresAt))
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
