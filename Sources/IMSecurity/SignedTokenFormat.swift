// LESSON 06 STARTER, generated from Solutions/IMSecurity/SignedTokenFormat.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 06: signed, expiring session tokens.
//
//   token = base64url(claims JSON) "." base64url(HMAC-SHA256(key, first part))
//
// The gateway checks a token with one HMAC and a clock read: a forged, tampered or expired token
// is refused before any database read, and the claims say who it is without one. The session row
// is still looked up after that (`AccountService.authenticate`), because a signature cannot be
// taken back: without the row, logout would only take effect when the token expires.
//
// One HMAC key (a symmetric secret) is enough because the same server makes and checks tokens.
// A JWT library would add a header, algorithm negotiation and its pitfalls ("alg": "none") for
// nothing we use; swift-crypto's HMAC is the whole mechanism.

import CourseSupport
import Crypto
import Foundation
import IMCore
import IMGateway

/// Makes and checks signed session tokens.
public struct SignedTokenFormat: SessionTokenFormat {
    /// How long a token is valid. A client that reconnects after half of it gets a fresh one.
    public let lifetime: Duration
    /// How far in the future `iat` may be, for servers whose clocks differ a little.
    public let allowedClockSkew: Duration
    private let key: SymmetricKey

    /// - Parameter key: the signing key, at least 32 bytes (`TokenSigningKey`).
    public init(key: [UInt8], lifetime: Duration = .seconds(24 * 3600), allowedClockSkew: Duration = .seconds(60)) {
        precondition(key.count >= 32, "a token signing key needs at least 32 bytes")
        self.key = SymmetricKey(data: key)
        self.lifetime = lifetime
        self.allowedClockSkew = allowedClockSkew
    }

    /// The token for a new session or a renewal: valid for `lifetime`, never past the session's end.
    public func makeToken(for grant: SessionGrant) -> String {
        let expiresAt = min(grant.issuedAt + Int64(lifetime / .milliseconds(1)), grant.sessionExpiresAt)
        return sign(
            TokenClaims(
                sid: grant.secret, uid: grant.userID.rawValue, dev: grant.deviceID.rawValue, iat: grant.issuedAt,
                exp: expiresAt))
    }

    /// Signs `claims` as they are (tests use it to make expired tokens).
    public func sign(_ claims: TokenClaims) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let payload = Base64URL.encode((try? encoder.encode(claims)) ?? Data())
        let mac = HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key)
        return payload + "." + Base64URL.encode(mac)
    }

    /// The claims of `token` if its signature matches and it is valid at `now` (milliseconds
    /// since 1970); throws `TokenError` otherwise.
    public func verify(_ token: String, now: Int64) throws -> TokenClaims {
        // BEGIN EXERCISE 06.1: Split "payload.signature", check the HMAC (constant time), decode the claims, refuse expired or future tokens.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 06
        throw Exercise.notImplemented("06.1", expected: "the claims of a well-signed, unexpired token; TokenError.badSignature, .expired or .malformed otherwise")
        // END EXERCISE 06.1
    }

    /// `SessionTokenFormat`: a refused token becomes `401 unauthorized` with the reason.
    public func open(_ token: String, now: Int64) throws -> OpenedToken {
        let claims: TokenClaims
        do {
            claims = try verify(token, now: now)
        } catch let error as TokenError {
            throw IMError(.unauthorized, error.description)
        }
        guard let device = DeviceID(rawValue: claims.dev) else { throw IMError(.unauthorized, TokenError.malformed.description) }
        return OpenedToken(
            secret: claims.sid, userID: UserID(claims.uid), deviceID: device, refreshDue: claims.isRefreshDue(now: now))
    }
}
