// Lesson 17 tests, part 1: level 1, the LRU bounded by count and bytes, with expiry (17.1). No I/O.

import IMCache
import Testing

@Suite("17.1 LRU cache")
struct LRUCacheTests {
    let start = ContinuousClock.now
    var later: ContinuousClock.Instant { start + .seconds(60) }

    @Test("17.1: a kept key is found; a key never set misses")
    func keepsAndFinds() {
        var cache = LRUCache<String, Int>(maxEntries: 3)
        cache.set(1, for: "a", cost: 1, expiresAt: later)
        let got1 = cache.value(for: "a", now: start)
        #expect(got1 == 1, "Exercise 17.1: a key just set is found")
        let got2 = cache.value(for: "b", now: start)
        #expect(got2 == nil, "Exercise 17.1: a key never set misses")
        #expect(cache.count == 1 && cache.bytes == 1, "Exercise 17.1: one entry of cost 1 kept")
    }

    @Test("17.1: over the count bound, the least recently used goes first, and a read makes a key recent")
    func evictsLeastRecentlyUsed() {
        var cache = LRUCache<String, Int>(maxEntries: 3)
        for (index, key) in ["a", "b", "c"].enumerated() { cache.set(index, for: key, cost: 1, expiresAt: later) }
        _ = cache.value(for: "a", now: start)  // a is now the most recent; b the least
        cache.set(3, for: "d", cost: 1, expiresAt: later)
        let got3 = cache.value(for: "b", now: start)
        #expect(got3 == nil, "Exercise 17.1: b was least recently used and is evicted")
        #expect(cache.keysByRecency.sorted() == ["a", "c", "d"], "Exercise 17.1: a, c, d kept; got \(cache.keysByRecency)")
        #expect(cache.evictions == 1, "Exercise 17.1: one eviction counted")
        #expect(cache.count == 3, "Exercise 17.1: never more than maxEntries")
    }

    @Test("17.1: over the byte bound, as many old entries go as needed; a value larger than the bound is not kept")
    func evictsByBytes() {
        var cache = LRUCache<String, Int>(maxEntries: 100, maxBytes: 100)
        for index in 0..<5 { cache.set(index, for: "k\(index)", cost: 20, expiresAt: later) }
        #expect(cache.bytes == 100, "Exercise 17.1: five entries of 20 bytes fill 100")
        cache.set(9, for: "big", cost: 50, expiresAt: later)
        #expect(cache.bytes <= 100, "Exercise 17.1: bytes stay within the bound; got \(cache.bytes)")
        #expect(
            cache.keysByRecency == ["big", "k4", "k3"],
            "Exercise 17.1: the three oldest made room for 50 bytes; got \(cache.keysByRecency)")
        cache.set(0, for: "huge", cost: 101, expiresAt: later)
        let got4 = cache.value(for: "huge", now: start)
        #expect(got4 == nil, "a value over maxBytes is not kept")
        let got5 = cache.value(for: "big", now: start)
        #expect(got5 == 9, "Exercise 17.1: and evicts nothing")
    }

    @Test("17.1: an entry expires at its time, and is dropped when seen expired")
    func expires() {
        var cache = LRUCache<String, Int>(maxEntries: 10)
        cache.set(1, for: "a", cost: 5, expiresAt: start + .seconds(5))
        let got6 = cache.value(for: "a", now: start + .seconds(4))
        #expect(got6 == 1, "Exercise 17.1: found before it expires")
        let got7 = cache.value(for: "a", now: start + .seconds(5))
        #expect(got7 == nil, "Exercise 17.1: missed at its expiry")
        #expect(cache.count == 0 && cache.bytes == 0, "Exercise 17.1: the expired entry is dropped with its bytes")
    }

    @Test("17.1: setting a key again replaces it and its cost; removing forgets it; slots are reused")
    func replaceAndRemove() {
        var cache = LRUCache<String, Int>(maxEntries: 2, maxBytes: 100)
        cache.set(1, for: "a", cost: 10, expiresAt: later)
        cache.set(2, for: "a", cost: 30, expiresAt: later)
        let got8 = cache.value(for: "a", now: start)
        #expect(got8 == 2 && cache.bytes == 30, "Exercise 17.1: the new value and cost")
        let removed = cache.removeValue(for: "a")
        #expect(removed && cache.count == 0 && cache.bytes == 0, "removed with its bytes")
        for round in 0..<1_000 { cache.set(round, for: "k\(round % 7)", cost: 1, expiresAt: later) }
        #expect(cache.count == 2, "Exercise 17.1: a thousand sets keep two entries; got \(cache.count)")
        #expect(cache.keysByRecency == ["k5", "k4"], "Exercise 17.1: the last two set; got \(cache.keysByRecency)")
    }
}
