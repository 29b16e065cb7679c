// LESSON 12 STARTER, generated from Solutions/IMResilience/Limiters/KeyedLimiter.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 12: one limiter per key (user, address, route), in bounded memory.
//
// A limit "per user" is a dictionary from user to limiter. Its danger is the keys: an attacker
// who invents a new address or account name per request grows it without end. Two facts keep
// it small. A limiter left alone for `forgetsAfter` is as good as new, so such a key can be
// dropped without changing any decision. And when even that is not enough (a flood of fresh
// keys), dropping the least recently used keys only gives their owners a fresh limiter: more
// generous for a moment, never a wrong refusal.

/// A limiter per key, at most `maxKeys` of them.
public struct KeyedLimiter<Key: Hashable & Sendable, Limiter: RateLimiter>: Sendable {
    public let maxKeys: Int
    private let makeLimiter: @Sendable () -> Limiter
    private var entries: [Key: Entry] = [:]

    private struct Entry: Sendable {
        var limiter: Limiter
        var lastUsed: Duration
    }

    public init(maxKeys: Int, makeLimiter: @escaping @Sendable () -> Limiter) {
        precondition(maxKeys > 0, "a keyed limiter needs room for a key")
        self.maxKeys = maxKeys
        self.makeLimiter = makeLimiter
    }

    /// How many keys are remembered.
    public var keyCount: Int { entries.count }

    /// Decides about one request of `key` at `now`.
    public mutating func acquire(_ key: Key, now: Duration) -> Admission {
        if entries[key] == nil, entries.count >= maxKeys { makeRoom(now: now) }
        var entry = entries[key] ?? Entry(limiter: makeLimiter(), lastUsed: now)
        let admission = entry.limiter.acquire(now: now)
        entry.lastUsed = max(entry.lastUsed, now)
        entries[key] = entry
        return admission
    }

    /// Drops the keys that are as good as new; if that frees nothing, the least recently used
    /// eighth (at least one), so the sort is paid once per many new keys, not on each.
    private mutating func makeRoom(now: Duration) {
        entries = entries.filter { now - $0.value.lastUsed < $0.value.limiter.forgetsAfter }
        guard entries.count >= maxKeys else { return }
        let oldest = entries.sorted { $0.value.lastUsed < $1.value.lastUsed }.prefix(max(1, entries.count / 8))
        for (key, _) in oldest { entries[key] = nil }
    }
}
