// LESSON 19 STARTER, generated from Solutions/IMObservability/TraceSampler.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

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
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 19
        _ = Exercise.notImplemented("19.2", expected: "chosen users always; otherwise sampled iff traceIDLowBits < rate × 2^64 for the direction's rate (≤ 0 never, ≥ 1 always)")
        return true
        // END EXERCISE 19.2
    }
}
