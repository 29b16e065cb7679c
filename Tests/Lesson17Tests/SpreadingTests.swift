// Lesson 17 tests, part 5: the given pure parts — consistent hashing, Bloom filter, TTL jitter,
// hot-key detection. No I/O.

import IMCache
import Testing

/// A named node for the ring.
struct Instance: Hashable, Sendable, CustomStringConvertible {
    let name: String
    var description: String { name }
}

@Suite("17 Spreading keys and load")
struct SpreadingTests {
    let keys = (0..<100_000).map { "im:user:\($0)" }

    func owners(_ ring: ConsistentHashRing<Instance>) -> [Instance] { keys.map { ring.node(for: $0)! } }

    @Test("a ring of 4 instances with 160 virtual nodes gives each 25 % ± 5 points of 100,000 keys")
    func distribution() {
        let ring = ConsistentHashRing(nodes: (1...4).map { Instance(name: "redis-\($0)") }, virtualNodes: 160)
        let counts = Dictionary(grouping: owners(ring), by: \.name).mapValues(\.count)
        print("17 ring: keys per instance of 100,000 (4 instances, 160 virtual nodes each): \(counts.sorted { $0.key < $1.key })")
        for (name, count) in counts {
            #expect((20_000...30_000).contains(count), "\(name) holds \(count) of 100,000 keys")
        }
        let single = ConsistentHashRing(nodes: (1...4).map { Instance(name: "redis-\($0)") }, virtualNodes: 1)
        let skew = Dictionary(grouping: owners(single), by: \.name).mapValues(\.count)
        print("17 ring: with 1 virtual node each: \(skew.sorted { $0.key < $1.key })")
    }

    @Test("adding a fifth instance moves about a fifth of the keys, all to it; removing one moves only its keys")
    func fewKeysMove() {
        let four = (1...4).map { Instance(name: "redis-\($0)") }
        var ring = ConsistentHashRing(nodes: four)
        let before = owners(ring)
        let fifth = Instance(name: "redis-5")
        ring.add(fifth)
        let after = owners(ring)
        let moved = zip(before, after).filter { $0 != $1 }
        print("17 ring: adding a 5th instance moved \(moved.count) of 100,000 keys (modulo hashing would move about 80,000)")
        #expect((15_000...25_000).contains(moved.count), "about 1/5 of the keys move; \(moved.count) did")
        #expect(moved.allSatisfy { $0.1 == fifth }, "every moved key moved to the new instance")
        let modulo = keys.indices.filter { index in
            let hash = StableHash.hash(keys[index])
            return hash % 4 != hash % 5
        }
        #expect(modulo.count > 70_000, "modulo hashing would move most keys (\(modulo.count))")

        ring.remove(four[1])
        let removed = zip(after, owners(ring)).filter { $0 != $1 }
        #expect(removed.allSatisfy { $0.0 == four[1] }, "only the removed instance's keys move")
        #expect(!owners(ring).contains(four[1]), "no key stays on the removed instance")
    }

    @Test("the same key goes to the same instance in every process (a stable hash, not Swift's seeded Hasher)")
    func stableHash() {
        // FNV-1a then SplitMix64's finaliser, computed outside Swift: the same in every process.
        #expect(StableHash.hash("im:user:1") == 0xE22D75B2478EF1DA, "a fixed value, not a per-process one")
        let ring = ConsistentHashRing(nodes: [Instance(name: "a"), Instance(name: "b")])
        let again = ConsistentHashRing(nodes: [Instance(name: "b"), Instance(name: "a")])
        #expect(keys.prefix(1_000).allSatisfy { ring.node(for: $0) == again.node(for: $0) }, "order of adding does not matter")
    }

    @Test("a Bloom filter never says absent for an added id, and says maybe for about 1 % of others")
    func bloomFilter() {
        var filter = BloomFilter(expected: 10_000, falsePositiveRate: 0.01)
        for id in 1...10_000 { filter.insert(UInt64(id)) }
        #expect((1...10_000).allSatisfy { filter.mayContain(UInt64($0)) }, "no false negatives")
        let falsePositives = (1_000_001...1_100_000).filter { filter.mayContain(UInt64($0)) }.count
        print(
            "17 bloom: \(filter.bitCount) bits, \(filter.hashCount) hashes; \(falsePositives) false positives in 100,000 absent ids"
        )
        #expect(falsePositives < 2_000, "about 1 % false positives; got \(falsePositives) in 100,000")
        #expect(filter.bitCount < 10_000 * 10 + 64, "under 10 bits per id at 1 %")
    }

    @Test("a jittered TTL stays within ±spread and actually spreads")
    func jitter() {
        let jitter = TTLJitter(ttl: .seconds(100), spread: 0.2)
        let low = jitter.draw(unit: 0) - .seconds(80)
        let high = jitter.draw(unit: 1) - .seconds(120)
        let oneMillisecond = Duration.milliseconds(1)
        #expect(
            low < oneMillisecond && low > .zero - oneMillisecond && high < oneMillisecond && high > .zero - oneMillisecond,
            "the ends of the window are 80 s and 120 s")
        let draws = (0..<1_000).map { _ in jitter.draw() }
        #expect(draws.allSatisfy { $0 >= .milliseconds(79_999) && $0 <= .milliseconds(120_001) }, "within 80...120 s")
        #expect(Set(draws.map { $0.components.seconds }).count > 20, "spread over the window, not one instant")
        #expect(TTLJitter(ttl: .seconds(5), spread: 0).draw() == .seconds(5), "no spread, no jitter")
    }

    @Test("a key read over the threshold in a window is hot, stays hot one more window, then cools")
    func hotKeys() {
        var detector = HotKeyDetector<String>(threshold: 3, window: .seconds(1), maxTrackedKeys: 2)
        let start = ContinuousClock.now
        let first = [detector.record("celebrity", now: start), detector.record("celebrity", now: start)]
        #expect(first == [false, false], "two reads are not hot")
        let third = detector.record("celebrity", now: start)
        #expect(third, "the third read in the window makes it hot")
        let other = detector.record("other", now: start)
        #expect(!other, "one read is not hot")
        let untracked = (0..<5).map { _ in detector.record("third", now: start) }
        #expect(!untracked.contains(true), "a key over maxTrackedKeys is not counted (bounded memory)")
        let nextWindow = detector.record("celebrity", now: start + .seconds(1.5))
        #expect(nextWindow, "still hot in the next window")
        let quiet = detector.record("celebrity", now: start + .seconds(3))
        #expect(!quiet, "cold after a window in which it was read only once")
    }
}
