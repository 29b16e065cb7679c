// Lesson 06 tests, part 1: signed session tokens, checked without any server or clock.

import Foundation
import IMCore
import IMGateway
import IMSecurity
import Testing

@Suite("06.1 Signed tokens")
struct SignedTokenTests {
    static let key = [UInt8](repeating: 7, count: 32)
    static let format = SignedTokenFormat(key: key, lifetime: .seconds(3600))
    /// 2026-01-01, in milliseconds.
    static let t0: Int64 = 1_767_225_600_000
    static let grant = SessionGrant(
        secret: "c2VjcmV0LXNlc3Npb24ta2V5", userID: UserID(42), deviceID: DeviceID(rawValue: "phone")!, issuedAt: t0,
        sessionExpiresAt: t0 + 30 * 86_400_000)

    @Test("a token made for a session verifies and names its session, user and device")
    func roundTrip() throws {
        let token = Self.format.makeToken(for: Self.grant)
        let claims = try Self.format.verify(token, now: Self.t0 + 1_000)
        #expect(claims.sid == Self.grant.secret, "Exercise 06.1: verify returns the claims that were signed")
        #expect(claims.uid == 42 && claims.dev == "phone")
        #expect(claims.exp == Self.t0 + 3_600_000, "valid for the configured lifetime")
        let opened = try Self.format.open(token, now: Self.t0 + 1_000)
        #expect(opened.userID == UserID(42) && opened.deviceID == DeviceID(rawValue: "phone"))
        #expect(!opened.refreshDue, "a new token needs no refresh")
    }

    @Test("a changed claim, a changed signature or another key is refused as a bad signature")
    func tamperingIsDetected() throws {
        let token = Self.format.makeToken(for: Self.grant)
        let parts = token.split(separator: ".").map(String.init)
        #expect(parts.count == 2, "payload.signature")

        // Become user 1 by editing the claims: the signature no longer matches.
        var claims = try Self.format.verify(token, now: Self.t0)
        claims.uid = 1
        let otherPayload = Self.format.sign(claims).split(separator: ".")[0]
        let forged = otherPayload + "." + parts[1]
        #expect(
            throws: TokenError.badSignature, "Exercise 06.1: claims that were changed after signing are refused"
        ) { try Self.format.verify(String(forged), now: Self.t0) }

        // Flip one character of the signature.
        var signature = Array(parts[1])
        signature[5] = signature[5] == "A" ? "B" : "A"
        #expect(throws: TokenError.badSignature, "Exercise 06.1: a damaged signature is refused") {
            try Self.format.verify(parts[0] + "." + String(signature), now: Self.t0)
        }

        // Signed with another key (another server, or an attacker's).
        let stranger = SignedTokenFormat(key: [UInt8](repeating: 9, count: 32))
        #expect(throws: TokenError.badSignature, "Exercise 06.1: a token signed with another key is refused") {
            try Self.format.verify(stranger.makeToken(for: Self.grant), now: Self.t0)
        }
    }

    @Test("a token is refused from the moment it expires, and when issued in the future")
    func expiry() throws {
        let token = Self.format.makeToken(for: Self.grant)
        let exp = Self.t0 + 3_600_000
        #expect(throws: Never.self, "Exercise 06.1: valid one millisecond before exp") {
            try Self.format.verify(token, now: exp - 1)
        }
        #expect(throws: TokenError.expired, "Exercise 06.1: refused at exp") { try Self.format.verify(token, now: exp) }
        #expect(throws: TokenError.expired, "Exercise 06.1: refused after exp") {
            try Self.format.verify(token, now: exp + 86_400_000)
        }
        #expect(throws: TokenError.notYetValid, "Exercise 06.1: a token from the future (beyond the skew) is refused") {
            try Self.format.verify(token, now: Self.t0 - 10 * 60_000)
        }
        // Through the gateway's seam, an expired token is a 401 that says why.
        #expect(throws: IMError(.unauthorized, TokenError.expired.description)) {
            try Self.format.open(token, now: exp)
        }
    }

    @Test("garbage is refused as malformed, never crashes")
    func malformed() {
        for garbage in ["", "abc", "a.b.c", ".", "no-dot-at-all", "%%%.%%%", "eyJ9.", "forged-token-forged-token"] {
            #expect(throws: TokenError.self, "Exercise 06.1: `\(garbage)` is not a token") {
                try Self.format.verify(garbage, now: Self.t0)
            }
        }
        // A valid signature over something that is not our claims is still refused.
        let key = Self.key
        let notClaims = SignedTokenFormat(key: key).sign(
            TokenClaims(sid: "", uid: 0, dev: "", iat: 0, exp: 0))
        #expect(throws: TokenError.self) { try Self.format.verify(notClaims, now: Self.t0) }
    }

    @Test("claims signed with Int64's extreme times are read without trapping (found by Fuzz/run.sh session-token)")
    func extremeTimes() throws {
        let claims = TokenClaims(sid: "s", uid: 1, dev: "phone", iat: .min, exp: .max)
        let opened = try Self.format.open(Self.format.sign(claims), now: Self.t0)
        #expect(opened.refreshDue, "Exercise 06.1: such a token verifies, and half of its life is long past")
        #expect(!claims.isRefreshDue(now: .min), "at the earliest time, refresh is not due")
        let backwards = TokenClaims(sid: "s", uid: 1, dev: "phone", iat: .max, exp: .min)
        #expect(backwards.isRefreshDue(now: 0))
        #expect(throws: TokenError.expired) { try Self.format.verify(Self.format.sign(backwards), now: Self.t0) }
    }

    @Test("refresh is due past half the token's life; a token never outlives its session")
    func refreshAndSessionBound() throws {
        let token = Self.format.makeToken(for: Self.grant)
        #expect(try !Self.format.open(token, now: Self.t0 + 1_799_999).refreshDue)
        #expect(try Self.format.open(token, now: Self.t0 + 1_800_000).refreshDue, "Exercise 06.1: half of 1 h passed")

        let endingSoon = SessionGrant(
            secret: "s", userID: UserID(1), deviceID: DeviceID(rawValue: "d")!, issuedAt: Self.t0,
            sessionExpiresAt: Self.t0 + 60_000)
        let claims = try Self.format.verify(Self.format.makeToken(for: endingSoon), now: Self.t0)
        #expect(claims.exp == Self.t0 + 60_000, "the token ends with the session")
    }
}
