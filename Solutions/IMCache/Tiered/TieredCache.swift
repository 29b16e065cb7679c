// Lesson 17: cache-aside over two levels: level 1 in this process, level 2 shared (Redis), then
// the store.
//
// You write exercise 17.4 here: the read path. The helpers around it are given: `readLocal`
// (level 1, hot-key counting), `readShared` and `writeShared` (level 2; a failure counts and
// reads on), `keepLocal` (level 1 with a jittered or hot TTL) and `invalidate` (the write path).

import CourseSupport
import Foundation
import Synchronization

/// What a level holds for a key: the value, or the remembered fact that the store has none.
public enum Cached<Value: Sendable>: Sendable {
    case present(Value)
    case absent

    public var value: Value? {
        if case .present(let value) = self { return value }
        return nil
    }
}

/// Values of one kind (profiles, say) cached over two levels in front of their store.
public final class TieredCache<Value: Codable & Sendable>: Sendable {
    /// Keys are `prefix + key` in level 2, so kinds do not collide.
    public let prefix: String
    let configuration: CacheConfiguration
    let shared: (any SharedCache)?
    let flights = SingleFlight<String, Cached<Value>>()
    let now: @Sendable () -> ContinuousClock.Instant

    struct Local: Sendable {
        var entries: LRUCache<String, Cached<Value>>
        var hotKeys: HotKeyDetector<String>
        /// Raised by every invalidation: a load that started before it must not keep its result.
        var epoch: UInt64 = 0
        var stats = CacheStats()
    }

    let local: Mutex<Local>

    public init(
        prefix: String, configuration: CacheConfiguration, shared: (any SharedCache)?,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.prefix = configuration.keyPrefix + prefix
        self.configuration = configuration
        self.shared = shared
        self.now = now
        local = Mutex(
            Local(
                entries: LRUCache(maxEntries: configuration.localMaxEntries, maxBytes: configuration.localMaxBytes),
                hotKeys: HotKeyDetector(threshold: configuration.hotThreshold, window: configuration.hotWindow)))
    }

    public var stats: CacheStats { local.withLock { $0.stats } }

    /// Callers now waiting for a load another caller started (tests see a stampede absorbed).
    public var sharedWaits: Int { get async { await flights.sharedWaits } }

    /// The value of `key`: from level 1, else level 2, else `load` (the store; nil when it has no
    /// such row). Callers missing the same key at once share one trip to level 2 and the store.
    /// "No such row" is cached too, for `negativeTTL`.
    public func value(for key: String, load: @escaping @Sendable () async throws -> Value?) async throws -> Value? {
        // BEGIN EXERCISE 17.4: Level 1 first; on a miss, one flight per key (and epoch) that tries level 2, then `load`, writes level 2 (negative TTL for nil) and keeps the result in level 1 when no invalidation ran meanwhile.
        if let cached = readLocal(key) { return cached.value }
        let epoch = local.withLock { $0.epoch }
        let cached = try await flights.run("\(epoch)|\(key)") {
            if let cached = await self.readShared(key) {
                self.keepLocal(cached, for: key, ifEpoch: epoch)
                return cached
            }
            let loaded: Cached<Value> = try await load().map { .present($0) } ?? .absent
            self.local.withLock { $0.stats.loads += 1 }
            if self.local.withLock({ $0.epoch }) == epoch {
                await self.writeShared(loaded, for: key)
            }
            self.keepLocal(loaded, for: key, ifEpoch: epoch)
            return loaded
        }
        return cached.value
        // STUB: _ = Exercise.notImplemented("17.4", expected: "level 1, then level 2, then one load per key, with the result (or its absence) kept in both levels")
        // STUB: return try await load()
        // END EXERCISE 17.4
    }

    /// Forgets `key` at both levels. Call it after the store has committed the write, never
    /// before: a read between a delete and the commit would load the old row and cache it again.
    public func invalidate(_ key: String) async {
        local.withLock {
            $0.epoch += 1
            $0.entries.removeValue(for: key)
            $0.stats.invalidations += 1
        }
        guard let shared else { return }
        do {
            try await shared.delete(prefix + key)
        } catch {
            // Level 2 keeps the old value until its TTL ends: the bound on staleness when Redis fails.
            local.withLock { $0.stats.sharedErrors += 1 }
        }
    }

    /// Forgets level 1 (a test, or an operator after a bulk change in the store).
    public func clearLocal() {
        local.withLock { $0.entries.removeAll() }
    }
}

extension TieredCache {
    /// Level 1's entry for `key`, counting the read (and whether the key is hot).
    func readLocal(_ key: String) -> Cached<Value>? {
        let instant = now()
        return local.withLock { state in
            if state.hotKeys.record(key, now: instant) { state.stats.hotReads += 1 }
            guard let cached = state.entries.value(for: key, now: instant) else { return nil }
            state.stats.localHits += 1
            if case .absent = cached { state.stats.negativeHits += 1 }
            return cached
        }
    }

    /// Level 2's entry for `key`; nil on a miss, without level 2, or when level 2 failed.
    func readShared(_ key: String) async -> Cached<Value>? {
        guard let shared else { return nil }
        do {
            guard let bytes = try await shared.get(prefix + key), let cached = Self.decode(bytes) else { return nil }
            local.withLock {
                $0.stats.sharedHits += 1
                if case .absent = cached { $0.stats.negativeHits += 1 }
            }
            return cached
        } catch {
            local.withLock { $0.stats.sharedErrors += 1 }
            return nil
        }
    }

    /// Writes `cached` to level 2 with a jittered TTL (the negative TTL for an absence).
    func writeShared(_ cached: Cached<Value>, for key: String) async {
        guard let shared else { return }
        let ttl: Duration
        switch cached {
        case .present: ttl = TTLJitter(ttl: configuration.sharedTTL, spread: configuration.ttlSpread).draw()
        case .absent: ttl = TTLJitter(ttl: configuration.negativeTTL, spread: configuration.ttlSpread).draw()
        }
        do {
            try await shared.set(prefix + key, Self.encode(cached), ttl: ttl)
        } catch {
            local.withLock { $0.stats.sharedErrors += 1 }
        }
    }

    /// Keeps `cached` in level 1 unless an invalidation ran since `epoch`. Hot keys stay for
    /// `hotTTL`; others for the jittered local TTL (an absence for at most the negative TTL).
    func keepLocal(_ cached: Cached<Value>, for key: String, ifEpoch epoch: UInt64) {
        let instant = now()
        let bytes = Self.encode(cached)
        local.withLock { state in
            guard state.epoch == epoch else {
                state.stats.discardedLoads += 1
                return
            }
            var ttl = TTLJitter(ttl: configuration.localTTL, spread: configuration.ttlSpread).draw()
            if state.hotKeys.isHot(key) { ttl = max(ttl, configuration.hotTTL) }
            if case .absent = cached { ttl = min(ttl, configuration.negativeTTL) }
            state.entries.set(cached, for: key, cost: bytes.count + key.utf8.count, expiresAt: instant + ttl)
        }
    }

    /// Level 2's bytes: `0` for an absence, `1` and the JSON of the value otherwise.
    static func encode(_ cached: Cached<Value>) -> [UInt8] {
        switch cached {
        case .absent: return [UInt8(ascii: "0")]
        case .present(let value): return [UInt8(ascii: "1")] + ((try? JSONEncoder().encode(value)).map { Array($0) } ?? [])
        }
    }

    /// Nil for bytes that are neither (another program's key, an older format): treated as a miss.
    static func decode(_ bytes: [UInt8]) -> Cached<Value>? {
        switch bytes.first {
        case UInt8(ascii: "0") where bytes.count == 1: return .absent
        case UInt8(ascii: "1"): return (try? JSONDecoder().decode(Value.self, from: Data(bytes.dropFirst()))).map { .present($0) }
        default: return nil
        }
    }
}
