// LESSON 08 STARTER, generated from Solutions/IMHeartbeat/Client/AdaptiveHeartbeat.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 08: the smart heartbeat — find the longest interval the network lets a connection idle.
//
// Every heartbeat costs a radio wake-up, so a phone wants as few as possible; but one interval too
// long and the NAT drops the flow, and the app is deaf until it notices. The search:
//
//   probing  ──success──►  interval += step (up to the ceiling; reaching it settles there)
//   probing  ──failure──►  settled at (last interval that survived − margin)
//   settled  ──success──►  count; after `successesUntilStable` the network is stable
//   any      ──N failures in a row──►  back off: probe again from the floor
//
// A single failure while settled is treated as a blip (a lift, a tunnel); the caller reconnects
// either way. This is a pure state machine: the driver sleeps, sends, waits, and reports back.

import CourseSupport

/// The adaptive heartbeat of one connection on one network.
public struct AdaptiveHeartbeat: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        /// Searching upward for the NAT's timeout.
        case probing
        /// Found: the interval stays put.
        case settled
    }

    public let policy: HeartbeatPolicy
    /// How long to wait before the next heartbeat.
    public private(set) var interval: Duration
    public private(set) var phase: Phase
    /// The longest interval that survived during this search.
    public private(set) var lastSurvived: Duration?
    /// Failures since the last success.
    public private(set) var consecutiveFailures = 0
    /// Successes since the interval settled.
    public private(set) var settledSuccesses = 0

    /// Starts a search at the policy's initial interval.
    public init(policy: HeartbeatPolicy = HeartbeatPolicy()) {
        self.policy = policy
        interval = policy.initialInterval
        phase = .probing
    }

    /// Starts at an interval remembered for this network: no search, already stable.
    public init(policy: HeartbeatPolicy = HeartbeatPolicy(), remembered: Duration) {
        self.policy = policy
        interval = min(max(remembered, policy.floor), policy.ceiling)
        phase = .settled
        lastSurvived = interval
        settledSuccesses = policy.successesUntilStable
    }

    /// Settled and confirmed by enough successes: worth remembering for this network.
    public var isStable: Bool { phase == .settled && settledSuccesses >= policy.successesUntilStable }

    /// The heartbeat sent after `interval` was answered. Returns the next interval.
    @discardableResult
    public mutating func didSucceed() -> Duration {
        // BEGIN EXERCISE 08.1: On success: reset the failure count; while probing, remember the interval that survived and step up (settling at the ceiling); while settled, count the success.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 08
        _ = Exercise.notImplemented("08.1", expected: "probing: interval + step after a success (settled at the ceiling); settled: successes counted")
        // END EXERCISE 08.1
        return interval
    }

    /// The heartbeat sent after `interval` got no answer in time. Returns the next interval.
    @discardableResult
    public mutating func didFail() -> Duration {
        // BEGIN EXERCISE 08.2: On failure: count it; after `failuresBeforeBackoff` in a row back off to the floor and probe again; otherwise, while probing with a survivor, settle a margin below it.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 08
        _ = Exercise.notImplemented("08.2", expected: "probing after a survivor: settled at lastSurvived - settleMargin; after failuresBeforeBackoff failures in a row: probing again from the floor")
        // END EXERCISE 08.2
        return interval
    }

    private mutating func settle(at settledInterval: Duration) {
        phase = .settled
        interval = settledInterval
        settledSuccesses = 0
    }

    private mutating func backOff() {
        phase = .probing
        interval = policy.floor
        lastSurvived = nil
        settledSuccesses = 0
        consecutiveFailures = 0
    }
}
