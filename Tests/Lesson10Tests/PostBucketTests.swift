// Lesson 10 tests: posting is rate-limited per viewer by a token bucket (pure).

import IMLiveRoom
import Testing

@Suite("10.4 Post bucket: a burst, then the steady rate (pure)")
struct PostBucketTests {
    @Test("10.4 a full bucket allows a burst, then refuses with the time to wait")
    func burst() {
        var bucket = PostBucket(perSecond: 2, burst: 3)
        for _ in 0..<3 { #expect(bucket.take(now: .seconds(1)) == .allowed, "a burst of 3 is allowed (10.4)") }
        #expect(
            bucket.take(now: .seconds(1)) == .refused(retryAfter: .milliseconds(500)),
            "at 2/s the next token is 500 ms away (10.4)")
    }

    @Test("10.4 tokens come back at the rate, never above the burst")
    func refill() {
        var bucket = PostBucket(perSecond: 2, burst: 3)
        for _ in 0..<3 { _ = bucket.take(now: .zero) }
        #expect(bucket.take(now: .milliseconds(499)) != .allowed, "499 ms is not quite a token (10.4)")
        #expect(bucket.take(now: .milliseconds(500)) == .allowed, "500 ms at 2/s is one token (10.4)")
        var allowed = 0
        for _ in 0..<10 where bucket.take(now: .seconds(100)) == .allowed { allowed += 1 }
        #expect(allowed == 3, "a long quiet spell refills to the burst and no further (10.4)")
    }

    @Test("10.4 calls less than a millisecond apart do not lose their time")
    func subMillisecond() {
        var bucket = PostBucket(perSecond: 1_000, burst: 1)
        _ = bucket.take(now: .zero)
        var allowed = 0
        for step in 1...20 where bucket.take(now: .microseconds(500 * step)) == .allowed { allowed += 1 }
        #expect(allowed == 10, "1,000/s over 10 ms is 10 tokens, even asked every 0.5 ms (10.4)")
    }
}
