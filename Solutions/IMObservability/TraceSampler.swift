// Lesson 19: which messages are traced (exercise 19.2).
//
// Tracing every frame of every user costs CPU and an exporter's bandwidth; tracing none leaves
// an operator blind. The field's policy: every uplink message (what users send is rare and
// precious), about 1 % of downlink deliveries (there are many more of them), and every message
// of the users someone is watching (a VIP, a user who filed a complaint). The decision is a
// function of the trace id, so every node that sees the same trace decides the same way.

import CourseSupport
import IMCore

/// Which leg of a message's journey a span belongs to.
public enum TraceDirection: String, Sendable {
    /// From a client to the server: the send, its store, its ACK.
    case uplink
    /// From the server to a recipient's devices: the pushes.
    case downlink
}

/// The sampling policy: rates per direction and users always traced.
public struct TraceSampler: Sendable {
    /// Share of uplink traces kept, 0...1 (the field: 1.0).
    public var uplinkRate: Double
    /// Share of downlink legs kept, 0...1 (the field: 0.01).
    public var downlinkRate: Double
    /// Users whose messages are always traced, whatever the rates.
    public var chosenUsers: Set<UserID>

    public init(uplinkRate: Double = 1.0, downlinkRate: Double = 0.01, chosenUsers: Set<UserID> = []) {
        self.uplinkRate = uplinkRate
        self.downlinkRate = downlinkRate
        self.chosenUsers = chosenUsers
    }

    /// Whether the `direction` leg of the trace whose id ends in `traceIDLowBits` is recorded for
    /// `user`: always for a chosen user; otherwise when the low bits fall in the lowest `rate`
    /// share of all 64-bit values (rate ≤ 0: never; rate ≥ 1: always).
    public func shouldSample(_ direction: TraceDirection, user: UserID, traceIDLowBits: UInt64) -> Bool {
        // BEGIN EXERCISE 19.2: Chosen users always; else compare the trace id's low 64 bits with rate × 2^64 for the direction's rate (≤ 0 never, ≥ 1 always).
        if chosenUsers.contains(user) { return true }
        let rate = direction == .uplink ? uplinkRate : downlinkRate
        if rate <= 0 { return false }
        if rate >= 1 { return true }
        // 2^64 × rate does not fit a UInt64 at rate 1, hence the two cases above.
        let threshold = UInt64(rate * 18_446_744_073_709_551_616.0)
        return traceIDLowBits < threshold
        // STUB: _ = Exercise.notImplemented("19.2", expected: "chosen users always; otherwise sampled iff traceIDLowBits < rate × 2^64 for the direction's rate (≤ 0 never, ≥ 1 always)")
        // STUB: return true
        // END EXERCISE 19.2
    }
}
