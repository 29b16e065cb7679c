// LESSON 12 STARTER, generated from Solutions/IMResilience/AdaptiveConcurrencyLimit.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 12: an adaptive concurrency limit — refuse early instead of queueing without bound.
//
// A rate limit protects the server from one client. It cannot protect it from all of them at
// once, or from a store that got slower: the right number of requests in flight depends on how
// fast the work is right now, which nobody can configure. Little's law says in-flight =
// throughput × latency; when latency rises at the same throughput, work is queueing somewhere.
// The limit here follows AIMD, as TCP's congestion window does (and Netflix's concurrency-limits
// library for services): every call that comes back fast while the limit is in use raises the
// limit by one (additive increase); every call that comes back slow, or failed, cuts it by a
// factor (multiplicative decrease). A request above the limit is refused at once with
// `retryAfter`: a fast "no" the client can act on, instead of a slow "yes" that times out.
//
// Priorities: the core path (send, its ACK, pushAck, sync) may use the whole limit; the rest
// (read receipts, later lessons' frames) only `nonCoreShare` of it, so under overload they are
// refused first and sends keep their room.

import CourseSupport

/// The number of calls allowed in flight, adapted to their latency (AIMD). Pure.
public struct AdaptiveConcurrencyLimit: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var initialLimit = 50.0
        public var minLimit = 4.0
        public var maxLimit = 1_000.0
        /// A call slower than this counts as a sign of overload.
        public var latencyThreshold: Duration = .milliseconds(500)
        /// The factor the limit is multiplied by on a slow or failed call.
        public var backoffRatio = 0.9
        /// The share of the limit that non-core requests may use.
        public var nonCoreShare = 0.5

        public init() {}
    }

    public enum Priority: Hashable, Sendable {
        /// Send, ACK, sync: kept alive as long as anything is.
        case core
        /// Read receipts, presence and the like: shed first.
        case nonCore
    }

    public let configuration: Configuration
    /// The current limit (a real number; `inFlight` is compared with it).
    public private(set) var limit: Double
    public private(set) var inFlight = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        limit = min(max(configuration.initialLimit, configuration.minLimit), configuration.maxLimit)
    }

    /// Lets one call of `priority` start, or refuses it at once. Every admitted call must be
    /// followed by exactly one `release`.
    public mutating func acquire(_ priority: Priority = .core) -> Bool {
        let share = priority == .core ? 1.0 : configuration.nonCoreShare
        guard Double(inFlight) < limit * share else { return false }
        inFlight += 1
        return true
    }

    /// A call ended after `latency`; `failed` when it failed for reasons of load (a time-out,
    /// the store refusing), not a client's mistake. Adapts the limit.
    public mutating func release(latency: Duration, failed: Bool = false) {
        // Read before the call leaves: was the limit in use while this call ran?
        let inFlightDuring = inFlight
        inFlight = max(0, inFlight - 1)
        update(latency: latency, failed: failed, inFlight: inFlightDuring)
    }

    /// An admitted call that was not made after all (another check refused it): frees its place
    /// without adapting the limit.
    public mutating func cancel() {
        inFlight = max(0, inFlight - 1)
    }

    /// The AIMD rule, given the calls in flight when this one ended (itself included).
    mutating func update(latency: Duration, failed: Bool, inFlight: Int) {
        // BEGIN EXERCISE 12.4: Slow (≥ latencyThreshold) or failed: limit × backoffRatio, not below minLimit. Else, only if the limit was at least half used (2 × inFlight ≥ limit): limit + 1, not above maxLimit.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 12
        _ = Exercise.notImplemented("12.4", expected: "slow or failed: limit × backoffRatio (≥ minLimit); fast with 2 × inFlight ≥ limit: limit + 1 (≤ maxLimit); otherwise unchanged")
        // END EXERCISE 12.4
    }
}
