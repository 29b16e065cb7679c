// LESSON 06 STARTER, generated from Solutions/IMSecurity/TokenError.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 06: why a session token was refused.

/// Why `SignedTokenFormat.verify` refused a token. Each case has a stable code for logs and
/// tests; clients see them as `401 unauthorized` with the message.
public enum TokenError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not two base64url parts joined by a dot, or claims that are not the expected JSON.
    case malformed
    /// The signature does not match the claims: forged, tampered with, or signed with another key.
    case badSignature
    /// The token's `exp` has passed.
    case expired
    /// Issued in the future (beyond the allowed clock skew): made by a broken or lying clock.
    case notYetValid

    public var code: String {
        switch self {
        case .malformed: "token_malformed"
        case .badSignature: "token_bad_signature"
        case .expired: "token_expired"
        case .notYetValid: "token_not_yet_valid"
        }
    }

    public var description: String {
        switch self {
        case .malformed: "session token is malformed"
        case .badSignature: "session token signature does not match (forged or tampered)"
        case .expired: "session token has expired; log in again or reconnect with a fresh token"
        case .notYetValid: "session token is issued in the future"
        }
    }
}
