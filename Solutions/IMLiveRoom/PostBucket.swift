// Lesson 10: peak handling — posting is rate-limited per viewer.
//
// At a peak (the host says "type 1 if you can hear me") every viewer posts at once, and a script
// can post in a loop. Each viewer's posts pass a token bucket: it holds at most `burst` tokens,
// refills at `perSecond`, and a post takes one. A person typing never notices it; a flood is
// refused at the gateway, before it costs the room anything, with the time to wait.
//
// The pure state machine: the time is a parameter.

import CourseSupport

/// What the bucket says to a post.
public enum PostAdmission: Hashable, Sendable {
    case allowed
    /// No token: try again after `retryAfter`.
    case refused(retryAfter: Duration)
}

/// One viewer's token bucket. Tokens are counted in thousandths, so refills add up exactly.
public struct PostBucket: Hashable, Sendable {
    public let perSecond: Int
    public let burst: Int
    /// Thousandths of a token.
    public private(set) var tokens: Int64
    /// When the bucket was last refilled (nil: never used, so full).
    public private(set) var refilledAt: Duration?

    public init(perSecond: Int, burst: Int) {
        self.perSecond = max(0, perSecond)
        self.burst = max(1, burst)
        tokens = Int64(self.burst) * 1_000
    }

    /// Refills for the time since the last call, then takes a token for a post at `now`.
    public mutating func take(now: Duration) -> PostAdmission {
        // BEGIN EXERCISE 10.4: Refill perSecond × (now − refilledAt) thousandths, capped at burst × 1,000; take 1,000 if there are, otherwise refuse with the time until there will be.
        if let last = refilledAt {
            // Only whole milliseconds are refilled, and only they move the clock on: calls less
            // than a millisecond apart must not lose their time.
            let milliseconds = (now - last).wholeMilliseconds
            tokens = min(Int64(burst) * 1_000, tokens + Int64(perSecond) * milliseconds)
            refilledAt = last + .milliseconds(milliseconds)
        } else {
            refilledAt = now
        }
        if tokens >= 1_000 {
            tokens -= 1_000
            return .allowed
        }
        guard perSecond > 0 else { return .refused(retryAfter: .seconds(3_600)) }
        // perSecond thousandths come back per millisecond.
        let missing = 1_000 - tokens
        return .refused(retryAfter: .milliseconds((missing + Int64(perSecond) - 1) / Int64(perSecond)))
        // STUB: _ = Exercise.notImplemented("10.4", expected: "a token taken per post from a bucket of burst tokens refilled at perSecond; refused with the wait for the next token when empty")
        // STUB: return .allowed
        // END EXERCISE 10.4
    }
}
