// Lesson 12 tests: a limiter per key stays within its memory bound, and forgetting is harmless.
// The keys hold fixed windows (no exercise in them), so these tests check the keyed limiter alone.

import IMResilience
import Testing

@Suite("Keyed limiter")
struct KeyedLimiterTests {
    @Test("each key has its own limiter")
    func perKey() {
        var limiter = KeyedLimiter<String, FixedWindowLimiter>(maxKeys: 100) {
            FixedWindowLimiter(limit: 2, window: .seconds(1))
        }
        let alice = (0..<5).filter { _ in limiter.acquire("alice", now: at(0)).isAdmitted }.count
        let bob = (0..<5).filter { _ in limiter.acquire("bob", now: at(0)).isAdmitted }.count
        #expect(alice == 2 && bob == 2, "alice's flood does not use bob's allowance")
    }

    @Test("a flood of new keys never holds more than maxKeys")
    func boundedMemory() {
        var limiter = KeyedLimiter<Int, FixedWindowLimiter>(maxKeys: 1_000) {
            FixedWindowLimiter(limit: 5, window: .seconds(5))
        }
        var largest = 0
        for key in 0..<50_000 {
            _ = limiter.acquire(key, now: at(Double(key) / 100_000))
            largest = max(largest, limiter.keyCount)
        }
        #expect(largest <= 1_000, "memory stays bounded under 50,000 distinct keys; held \(largest)")
    }

    @Test("a key forgotten after its limiter is as good as new changes no decision; a busy key is kept")
    func forgettingIsHarmless() {
        var limiter = KeyedLimiter<String, FixedWindowLimiter>(maxKeys: 2) {
            FixedWindowLimiter(limit: 3, window: .seconds(3))
        }
        _ = limiter.acquire("quiet", now: at(0))
        for _ in 0..<3 { _ = limiter.acquire("flooder", now: at(10)) }
        // "quiet" has been idle 10 s, more than its 3 s window: dropped to make room, not the flooder.
        _ = limiter.acquire("newcomer", now: at(10))
        #expect(limiter.keyCount == 2)
        #expect(!limiter.acquire("flooder", now: at(10)).isAdmitted, "the flooder's full window was kept")
    }
}
