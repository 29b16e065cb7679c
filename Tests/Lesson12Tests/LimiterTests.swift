// Lesson 12 tests, part 1: the limiters, pure — no sockets, no clock, no sleeps. Time is a
// number passed in, so a test plays seconds of traffic at once.

import IMResilience
import Testing

/// `t` seconds after the start of the test's made-up clock.
func at(_ t: Double) -> Duration { .milliseconds(Int64((t * 1000).rounded())) }

/// Whether two durations differ by less than a microsecond (floating-point shares).
func roughly(_ a: Duration, _ b: Duration) -> Bool { abs((a - b) / .microseconds(1)) < 1 }

/// How many of `count` requests made at `now` the limiter admits.
func admitted(_ limiter: inout some RateLimiter, count: Int, at now: Duration) -> Int {
    (0..<count).filter { _ in limiter.acquire(now: now).isAdmitted }.count
}

@Suite("12.1 Token bucket: rate and burst")
struct TokenBucketTests {
    @Test("12.1 a full bucket lets a burst through, then refuses with the time one token takes")
    func burstThenRefuse() {
        var bucket = TokenBucket(rate: 2, burst: 5)
        #expect(admitted(&bucket, count: 8, at: at(0)) == 5, "Exercise 12.1: a full bucket admits `burst` (5) at once")
        guard case .refused(let wait) = bucket.acquire(now: at(0)) else {
            Issue.record("Exercise 12.1: an empty bucket must refuse")
            return
        }
        #expect(wait == .milliseconds(500), "Exercise 12.1: one token at 2/s takes 0.5 s; retryAfter was \(wait)")
    }

    @Test("12.1 the bucket refills at `rate`, never above `burst`")
    func refill() {
        var bucket = TokenBucket(rate: 2, burst: 5)
        _ = admitted(&bucket, count: 5, at: at(0))
        #expect(admitted(&bucket, count: 10, at: at(1)) == 2, "Exercise 12.1: 1 s at 2/s refills 2 tokens")
        #expect(admitted(&bucket, count: 10, at: at(100)) == 5, "Exercise 12.1: a long pause refills to `burst`, not more")
    }

    @Test("12.1 a steady sender gets the rate: 10 s at 2/s admit 2 per second after the burst")
    func steadyRate() {
        var bucket = TokenBucket(rate: 2, burst: 5)
        var total = 0
        for tick in 0...20 { total += admitted(&bucket, count: 3, at: at(Double(tick) / 2)) }
        // The burst (5) plus 10 s × 2/s (20), whatever the sender tried (63 requests).
        #expect(total == 25, "Exercise 12.1: burst + rate × time = 25 admitted; got \(total)")
    }

    @Test("12.1 a refused request takes nothing; a cost larger than one takes that many")
    func refusalTakesNothing() {
        var bucket = TokenBucket(rate: 1, burst: 3)
        #expect(bucket.take(2, now: at(0)) == .admitted, "Exercise 12.1: 2 of 3 tokens")
        #expect(bucket.take(2, now: at(0)) == .refused(retryAfter: .seconds(1)), "Exercise 12.1: 1 token left, 1 missing")
        #expect(bucket.tokens == 1, "Exercise 12.1: the refusal took nothing")
        #expect(bucket.take(2, now: at(1)) == .admitted, "Exercise 12.1: after 1 s there are 2")
    }

    @Test("12.1 a clock read out of order (an earlier `now`) never adds tokens")
    func timeDoesNotRunBackwards() {
        var bucket = TokenBucket(rate: 1, burst: 2)
        _ = admitted(&bucket, count: 2, at: at(10))
        #expect(!bucket.acquire(now: at(9)).isAdmitted, "Exercise 12.1: an earlier time refills nothing")
        #expect(bucket.acquire(now: at(11)).isAdmitted, "Exercise 12.1: 1 s after the last real time there is a token")
    }
}

@Suite("Fixed window")
struct FixedWindowTests {
    @Test("at most `limit` per window, counted again from the window's start; twice the limit at the edge")
    func fixedWindow() {
        var window = FixedWindowLimiter(limit: 3, window: .seconds(1))
        #expect(admitted(&window, count: 5, at: at(0.2)) == 3)
        #expect(window.acquire(now: at(0.5)) == .refused(retryAfter: .milliseconds(500)), "until the next window starts")
        #expect(admitted(&window, count: 5, at: at(1.0)) == 3, "a new window counts from zero")
        // The fixed window's flaw: 3 at 1.99 s and 3 at 2.0 s, six in 10 ms.
        var edge = FixedWindowLimiter(limit: 3, window: .seconds(1))
        let both = admitted(&edge, count: 3, at: at(1.99)) + admitted(&edge, count: 3, at: at(2.0))
        #expect(both == 6, "the edge lets 2 × limit through in a moment")
    }
}

@Suite("12.2 Sliding window counter")
struct SlidingWindowTests {
    @Test("12.2 the previous window counts by the share of it still inside the last window")
    func weightedCount() {
        var window = SlidingWindowLimiter(limit: 10, window: .seconds(1))
        _ = admitted(&window, count: 8, at: at(0.5))
        #expect(window.estimatedCount(now: at(0.9)) == 8, "Exercise 12.2: in the first window only its own count")
        let estimate = window.estimatedCount(now: at(1.25))
        #expect(abs(estimate - 6) < 1e-9, "Exercise 12.2: 25 % into the next window, 75 % of 8 = 6 still count; got \(estimate)")
        #expect(window.estimatedCount(now: at(3.5)) == 0, "Exercise 12.2: a window two back counts nothing")
    }

    @Test("12.2 no double burst at the edge of a window, unlike the fixed window")
    func noEdgeBurst() {
        var window = SlidingWindowLimiter(limit: 3, window: .seconds(1))
        let both = admitted(&window, count: 3, at: at(0.99)) + admitted(&window, count: 3, at: at(1.0))
        #expect(both == 3, "Exercise 12.2: 3 at 0.99 s still count at 1.0 s; got \(both) admitted")
        let later = admitted(&window, count: 3, at: at(1.7))
        #expect(later == 2, "Exercise 12.2: at 1.7 s 30 % of 3 (0.9) still counts: room for 2; got \(later)")
    }

    @Test("12.2 a refusal says how long until there is room for one more")
    func retryAfter() {
        var window = SlidingWindowLimiter(limit: 4, window: .seconds(1))
        _ = admitted(&window, count: 4, at: at(0.5))
        guard case .refused(let wait) = window.acquire(now: at(0.5)) else {
            Issue.record("Exercise 12.2: a full window must refuse")
            return
        }
        // 4 × (1 − e) ≤ 3 at e = 0.25 of the next window: 1.25 s, 0.75 s from now.
        #expect(roughly(wait, .milliseconds(750)), "retryAfter until the estimate leaves room: \(wait)")
        #expect(!window.acquire(now: at(1.2)).isAdmitted, "Exercise 12.2: at 1.2 s 80 % of 4 = 3.2 still count")
        #expect(window.acquire(now: at(0.5) + wait).isAdmitted, "Exercise 12.2: at retryAfter there is room")
    }
}

@Suite("Leaky bucket (a queue)")
struct LeakyBucketTests {
    @Test("a burst that fits is spaced out at the rate; one too many is refused")
    func spacing() {
        var bucket = LeakyBucket(rate: 10, capacity: 3)
        let slots = (0..<5).map { _ in bucket.acquire(now: at(0)) }
        #expect(
            slots == [
                .runAfter(.zero), .runAfter(.milliseconds(100)), .runAfter(.milliseconds(200)),
                .runAfter(.milliseconds(300)), .refused(retryAfter: .milliseconds(100)),
            ], "one leaves at once, three wait 100 ms apart, the fifth does not fit: \(slots)")
        #expect(bucket.acquire(now: at(1)) == .runAfter(.zero), "once drained, a request leaves at once")
    }
}
