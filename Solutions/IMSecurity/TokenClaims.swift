// Lesson 06: what a signed session token says about its holder.

/// The claims of a signed session token. Times are milliseconds since 1970, as everywhere in
/// the protocol. The short names keep the token small; it travels with every request.
public struct TokenClaims: Codable, Sendable, Hashable {
    /// The session's secret: its SHA-256 is the session row, which logout deletes.
    public var sid: String
    /// The user.
    public var uid: Int64
    /// The device.
    public var dev: String
    /// Issued at.
    public var iat: Int64
    /// Expires at: the token is refused from this moment on.
    public var exp: Int64

    public init(sid: String, uid: Int64, dev: String, iat: Int64, exp: Int64) {
        self.sid = sid
        self.uid = uid
        self.dev = dev
        self.iat = iat
        self.exp = exp
    }

    /// Past half its life: time to hand the client a fresh one. Computed in 128 bits: `exp - iat`
    /// of claims signed with extreme times overflowed Int64 and trapped (found by fuzzing).
    public func isRefreshDue(now: Int64) -> Bool { Int128(now) >= Int128(iat) + (Int128(exp) - Int128(iat)) / 2 }
}
