// LESSON 03 STARTER, generated from Solutions/IMGateway/Auth/SessionTokenFormat.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03 seam, filled by lesson 06: how a session is written into the token a client holds.
//
// Every session has a random secret whose SHA-256 is the session's row in the store. Lesson 03
// hands the secret itself to the client (an opaque token). Lesson 06 wraps it in a signed,
// expiring envelope, so that a forged or stale token is turned away before any database read.

import IMCore

/// What goes into a token when a session starts or its token is renewed.
public struct SessionGrant: Sendable, Hashable {
    /// The session's random secret; the store keeps only its SHA-256.
    public let secret: String
    public let userID: UserID
    public let deviceID: DeviceID
    /// Milliseconds since 1970: when the token is made.
    public let issuedAt: Int64
    /// Milliseconds since 1970: when the session itself ends (a token never outlives it).
    public let sessionExpiresAt: Int64

    public init(secret: String, userID: UserID, deviceID: DeviceID, issuedAt: Int64, sessionExpiresAt: Int64) {
        self.secret = secret
        self.userID = userID
        self.deviceID = deviceID
        self.issuedAt = issuedAt
        self.sessionExpiresAt = sessionExpiresAt
    }
}

/// What a token says once its format has checked it, before the store is asked.
public struct OpenedToken: Sendable, Hashable {
    public let secret: String
    /// Who the token names (nil for opaque tokens, which name nobody).
    public let userID: UserID?
    public let deviceID: DeviceID?
    /// The token is past half its life: hand the client a fresh one.
    public let refreshDue: Bool

    public init(secret: String, userID: UserID? = nil, deviceID: DeviceID? = nil, refreshDue: Bool = false) {
        self.secret = secret
        self.userID = userID
        self.deviceID = deviceID
        self.refreshDue = refreshDue
    }
}

/// Writes sessions into tokens and reads them back.
public protocol SessionTokenFormat: Sendable {
    /// The token handed to the client for `grant`.
    func makeToken(for grant: SessionGrant) -> String
    /// Checks `token` without any storage (`now` in milliseconds since 1970); throws
    /// `IMError` `unauthorized` with a reason when it is malformed, forged or expired.
    func open(_ token: String, now: Int64) throws -> OpenedToken
}

/// Lesson 03's tokens: the secret itself. Valid until the session row says otherwise.
public struct OpaqueTokenFormat: SessionTokenFormat {
    public init() {}

    public func makeToken(for grant: SessionGrant) -> String { grant.secret }

    public func open(_ token: String, now: Int64) throws -> OpenedToken { OpenedToken(secret: token) }
}
