// Lesson 17 tests, part 4: cache-aside over two levels with invalidation (17.4), against an
// in-memory level 2 (no I/O; the same cache on a real Redis is in RedisTests).

import IMCache
import IMTestSupport
import Synchronization
import Testing

/// Level 2 in memory, with a switch that makes every call fail (Redis down).
final class MemorySharedCache: SharedCache {
    struct Failing: Error {}
    let entries = Mutex<[String: [UInt8]]>([:])
    let failing = Atomic<Bool>(false)
    let deletes = Atomic<Int>(0)

    func get(_ key: String) async throws -> [UInt8]? {
        if failing.load(ordering: .relaxed) { throw Failing() }
        return entries.withLock { $0[key] }
    }

    func set(_ key: String, _ value: [UInt8], ttl: Duration) async throws {
        if failing.load(ordering: .relaxed) { throw Failing() }
        entries.withLock { $0[key] = value }
    }

    func delete(_ key: String) async throws {
        if failing.load(ordering: .relaxed) { throw Failing() }
        deletes.add(1, ordering: .relaxed)
        entries.withLock { $0[key] = nil }
    }
}

/// A store of names, counting reads.
final class CountingStore: Sendable {
    let rows: Mutex<[String: String]>
    let reads = Atomic<Int>(0)

    init(_ rows: [String: String] = [:]) { self.rows = Mutex(rows) }

    func read(_ key: String) async throws -> String? {
        reads.add(1, ordering: .relaxed)
        return rows.withLock { $0[key] }
    }

    var readCount: Int { reads.load(ordering: .relaxed) }
}

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { instant.withLock { $0 } }
    func advance(_ duration: Duration) { instant.withLock { $0 = $0 + duration } }
}

@Suite("17.4 Tiered cache")
struct TieredCacheTests {
    func make(_ shared: (any SharedCache)?) -> TieredCache<String> {
        var configuration = CacheConfiguration()
        configuration.localTTL = .seconds(60)
        return TieredCache(prefix: "t:", configuration: configuration, shared: shared)
    }

    @Test("17.4: a miss loads once and fills both levels; then level 1 (17.1) answers; without level 1, level 2 does")
    func readsThroughLevels() async throws {
        let shared = MemorySharedCache()
        let store = CountingStore(["1": "Ada"])
        let cache = make(shared)
        #expect(try await cache.value(for: "1", load: { try await store.read("1") }) == "Ada", "Exercise 17.4: loaded")
        #expect(shared.entries.withLock { $0["im:t:1"] } != nil, "Exercise 17.4: the load wrote level 2 (key im:t:1)")
        #expect(try await cache.value(for: "1", load: { try await store.read("1") }) == "Ada")
        #expect(store.readCount == 1, "Exercises 17.1, 17.4: the second read came from level 1, not the store")
        #expect(cache.stats.localHits == 1 && cache.stats.loads == 1, "Exercise 17.4: one local hit, one load: \(cache.stats)")

        let otherNode = make(shared)  // a second node: empty level 1, the same level 2
        #expect(try await otherNode.value(for: "1", load: { try await store.read("1") }) == "Ada")
        #expect(store.readCount == 1 && otherNode.stats.sharedHits == 1, "Exercise 17.4: the other node read level 2")
    }

    @Test("17.4: a row that does not exist is remembered as absent (penetration), at both levels (17.1)")
    func negativeCaching() async throws {
        let shared = MemorySharedCache()
        let store = CountingStore()
        let cache = make(shared)
        for _ in 0..<5 { #expect(try await cache.value(for: "404", load: { try await store.read("404") }) == nil) }
        #expect(
            store.readCount == 1, "Exercises 17.1, 17.4: five reads of a missing row read the store once; got \(store.readCount)")
        #expect(shared.entries.withLock { $0["im:t:404"] } == [UInt8(ascii: "0")], "Exercise 17.4: absence kept in level 2")
        #expect(cache.stats.negativeHits == 4, "four answered from the negative entry: \(cache.stats)")
    }

    @Test("17.4: after a write and an invalidation the next read loads the new row (delete, not update)")
    func invalidation() async throws {
        let shared = MemorySharedCache()
        let store = CountingStore(["1": "Ada"])
        let cache = make(shared)
        _ = try await cache.value(for: "1", load: { try await store.read("1") })
        store.rows.withLock { $0["1"] = "Ada L." }  // the write commits...
        await cache.invalidate("1")  // ...then the cached copies are deleted
        #expect(shared.entries.withLock { $0["im:t:1"] } == nil, "the level 2 copy is deleted")
        #expect(
            try await cache.value(for: "1", load: { try await store.read("1") }) == "Ada L.",
            "Exercise 17.4: the read after the invalidation loads the committed row")
        #expect(store.readCount == 2, "Exercise 17.4: one load before, one after")
    }

    @Test("17.4: concurrent misses of one key read the store once (single flight in the cache, 17.3)")
    func stampede() async throws {
        let store = GatedLoad()
        let cache = make(MemorySharedCache())
        try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<20 {
                group.addTask { try await cache.value(for: "hot", load: { String(try await store.load(1)) }) }
            }
            let joined = await eventually { await cache.sharedWaits == 19 }
            #expect(joined, "Exercises 17.3, 17.4: nineteen callers join the first one's load")
            store.open()
            for try await value in group { #expect(value == "1", "Exercise 17.4: every caller gets the one value") }
        }
        #expect(store.runs.load(ordering: .relaxed) == 1, "Exercises 17.3, 17.4: twenty concurrent misses, one store read")
    }

    @Test("17.4: a load that an invalidation overtook is not kept")
    func invalidatedLoadIsDiscarded() async throws {
        let shared = MemorySharedCache()
        let load = GatedLoad()
        let cache = make(shared)
        let reader = Task { try await cache.value(for: "1", load: { String(try await load.load(1)) }) }
        #expect(await eventually { load.runs.load(ordering: .relaxed) == 1 }, "the load is running")
        await cache.invalidate("1")  // a write committed while the old row was being read
        load.open()
        #expect(try await reader.value == "1", "the caller still gets what it read")
        #expect(cache.stats.discardedLoads == 1, "Exercise 17.4: the stale result is not kept: \(cache.stats)")
        #expect(shared.entries.withLock { $0["im:t:1"] } == nil, "Exercise 17.4: nor written to level 2")
    }

    @Test(
        "17.4: with level 2 failing, reads go on to the store and the failures are counted; without level 2 level 1 (17.1) works alone"
    )
    func levelTwoDown() async throws {
        let shared = MemorySharedCache()
        shared.failing.store(true, ordering: .relaxed)
        let store = CountingStore(["1": "Ada"])
        let cache = make(shared)
        #expect(try await cache.value(for: "1", load: { try await store.read("1") }) == "Ada", "Exercise 17.4: served")
        #expect(cache.stats.sharedErrors >= 1, "level 2's failure counted: \(cache.stats)")
        let alone = make(nil)
        _ = try await alone.value(for: "1", load: { try await store.read("1") })
        _ = try await alone.value(for: "1", load: { try await store.read("1") })
        #expect(alone.stats.localHits == 1 && alone.stats.loads == 1, "Exercises 17.1, 17.4: level 1 alone: \(alone.stats)")
    }

    @Test("17.4: a hot key stays in level 1 for the hot TTL, a cold one only for the local TTL (17.1)")
    func hotKeyKeepsLocalCopy() async throws {
        let clock = ManualClock()
        var configuration = CacheConfiguration()
        configuration.localTTL = .seconds(5)
        configuration.ttlSpread = 0
        configuration.hotThreshold = 3
        configuration.hotWindow = .seconds(1)
        configuration.hotTTL = .seconds(30)
        let cache = TieredCache<String>(
            prefix: "h:", configuration: configuration, shared: nil, now: { clock.now })
        let store = CountingStore(["hot": "celebrity", "cold": "nobody"])
        // Three reads within a second: the third makes the key hot, and it is missed and loaded
        // again with the hot TTL only when it is read after its first entry expired.
        for _ in 0..<3 { _ = try await cache.value(for: "hot", load: { try await store.read("hot") }) }
        _ = try await cache.value(for: "cold", load: { try await store.read("cold") })
        clock.advance(.seconds(6))  // both first entries (5 s) have expired
        _ = try await cache.value(for: "hot", load: { try await store.read("hot") })  // reloaded, kept 30 s
        _ = try await cache.value(for: "cold", load: { try await store.read("cold") })  // reloaded, kept 5 s
        let readsBefore = store.readCount
        clock.advance(.seconds(10))
        _ = try await cache.value(for: "hot", load: { try await store.read("hot") })
        #expect(store.readCount == readsBefore, "Exercises 17.1, 17.4: the hot key is still in level 1 after 10 s")
        _ = try await cache.value(for: "cold", load: { try await store.read("cold") })
        #expect(store.readCount == readsBefore + 1, "Exercises 17.1, 17.4: the cold key expired after 5 s and was loaded")
        #expect(cache.stats.hotReads >= 1, "hot reads counted: \(cache.stats)")
    }
}
