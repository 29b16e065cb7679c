// Lesson 12: the token bucket — an average rate, with room for a burst.
//
// A bucket holds at most `burst` tokens and gains `rate` tokens per second. A request takes one
// token (or `cost` of them); with too few, it is refused. A client that was quiet has a full
// bucket and may send `burst` requests at once, as a person catching up on a chat does; one that
// keeps sending gets `rate` per second and no more. Two numbers and a time per key, no timer:
// the refill is worked out from the time passed when the next request comes.

import CourseSupport

/// `rate` requests per second on average, `burst` at once.
public struct TokenBucket: RateLimiter {
    public let rate: Double
    public let burst: Double
    /// Tokens in the bucket at `updated`.
    public private(set) var tokens: Double
    private var updated: Duration?

    /// A full bucket.
    public init(rate: Double, burst: Double) {
        precondition(rate > 0 && burst >= 1, "a token bucket needs a positive rate and room for one token")
        self.rate = rate
        self.burst = burst
        tokens = burst
    }

    public var forgetsAfter: Duration { .seconds(fraction: burst / rate) }

    public mutating func acquire(now: Duration) -> Admission { take(1, now: now) }

    /// Takes `cost` tokens at `now`, after adding what `rate` refilled since the last call (never
    /// above `burst`); refuses, taking nothing, when fewer than `cost` are there.
    public mutating func take(_ cost: Double, now: Duration) -> Admission {
        // BEGIN EXERCISE 12.1: Refill by rate × seconds since `updated` (capped at burst), then take `cost` tokens or refuse with the time the missing tokens take to refill.
        if let updated, now > updated {
            tokens = min(burst, tokens + (now - updated).seconds * rate)
        }
        updated = max(updated ?? now, now)
        guard tokens >= cost else {
            return .refused(retryAfter: .seconds(fraction: (cost - tokens) / rate))
        }
        tokens -= cost
        return .admitted
        // STUB: _ = Exercise.notImplemented("12.1", expected: "tokens refilled at `rate` per second up to `burst`, `cost` taken when there are enough, else refused with retryAfter = (cost − tokens) / rate")
        // STUB: return .admitted
        // END EXERCISE 12.1
    }
}
