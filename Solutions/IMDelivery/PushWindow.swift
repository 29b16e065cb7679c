// Lesson 04: the downlink ACK — a push is not done until the client says it has it.
//
// A frame written to a socket can still be lost: the kernel buffer of a phone that just went
// into a tunnel, a NAT that dropped the flow, a proxy that died. So every push gets an id unique
// on its connection and waits in this window until the client acknowledges that id. A timer
// checks the window: overdue pushes are sent again (a bounded number of times, spaced out); when
// the retries are spent, the connection is treated as dead. Nothing is lost then either: the
// message is stored, and the device pulls everything after its last position when it reconnects.
//
// This is the pure state machine: time comes in as a parameter, actions come out as values.

import CourseSupport

/// What the window asks its driver to do.
public enum PushWindowAction<Payload: Sendable>: Sendable {
    /// Send this push again (same id).
    case resend(pushID: UInt64, payload: Payload)
    /// These pushes were never acknowledged and have no retries left: give up the connection.
    case giveUp(pushIDs: [UInt64])
}

/// The unacknowledged pushes of one connection.
public struct PushWindow<Payload: Sendable>: Sendable {
    struct Pending: Sendable {
        let payload: Payload
        /// When to check next.
        var deadline: Duration
        /// How many re-pushes were made.
        var retries: Int
    }

    public let policy: RetryPolicy
    private var pending: [UInt64: Pending] = [:]
    private var lastPushID: UInt64 = 0

    public init(policy: RetryPolicy = RetryPolicy()) {
        self.policy = policy
    }

    /// How many pushes wait for an ACK.
    public var pendingCount: Int { pending.count }

    /// The ids waiting for an ACK, oldest first.
    public var pendingIDs: [UInt64] { pending.keys.sorted() }

    /// The earliest time `tick` has something to do, if anything is pending.
    public var nextDeadline: Duration? { pending.values.map(\.deadline).min() }

    /// Registers a new push at time `now` and returns its id (1, 2, 3, … per connection).
    public mutating func push(_ payload: Payload, now: Duration) -> UInt64 {
        lastPushID += 1
        pending[lastPushID] = Pending(payload: payload, deadline: now + policy.firstCheck, retries: 0)
        return lastPushID
    }

    /// The client acknowledged `pushID`. Returns `false` for an id that is not pending (already
    /// acknowledged, given up, or never sent) — such ACKs are harmless and change nothing.
    @discardableResult
    public mutating func acknowledge(_ pushID: UInt64) -> Bool {
        pending.removeValue(forKey: pushID) != nil
    }

    /// The client acknowledged every push up to `pushID` at once (a cumulative ACK, as TCP's): on
    /// one ordered connection, holding push N means holding every push before it. Returns how
    /// many pushes it settled; ids above `pushID` keep waiting.
    @discardableResult
    public mutating func acknowledge(upTo pushID: UInt64) -> Int {
        let settled = pending.keys.filter { $0 <= pushID }
        for id in settled { pending[id] = nil }
        return settled.count
    }

    /// Checks the window at time `now`: every overdue push is re-sent while it has retries left
    /// (and checked again `retryInterval` later); overdue pushes without retries are given up.
    public mutating func tick(now: Duration) -> [PushWindowAction<Payload>] {
        // BEGIN EXERCISE 04.2: Resend overdue pushes with retries left (in id order, next deadline now + retryInterval); give up the rest.
        var actions: [PushWindowAction<Payload>] = []
        var exhausted: [UInt64] = []
        for id in pending.keys.sorted() {
            guard var entry = pending[id], entry.deadline <= now else { continue }
            if entry.retries < policy.maxRetries {
                entry.retries += 1
                entry.deadline = now + policy.retryInterval
                pending[id] = entry
                actions.append(.resend(pushID: id, payload: entry.payload))
            } else {
                pending[id] = nil
                exhausted.append(id)
            }
        }
        if !exhausted.isEmpty { actions.append(.giveUp(pushIDs: exhausted)) }
        return actions
        // STUB: _ = Exercise.notImplemented("04.2", expected: "overdue pushes re-sent up to maxRetries times, retryInterval apart, then given up")
        // STUB: return []
        // END EXERCISE 04.2
    }
}
