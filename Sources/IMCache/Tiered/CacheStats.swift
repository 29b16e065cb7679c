// LESSON 17 STARTER, generated from Solutions/IMCache/Tiered/CacheStats.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 17: what the cache did, counted (answered to `cache.stats`, read by tests and im-bench).

/// Counters of one tiered cache since it started.
public struct CacheStats: Sendable, Hashable, Codable {
    /// Answered from level 1 (negative entries included).
    public var localHits = 0
    /// Answered from level 2.
    public var sharedHits = 0
    /// Loaded from the store (after missing both levels).
    public var loads = 0
    /// Answers that were "no such row" from a negative entry, at either level.
    public var negativeHits = 0
    /// Level 2 calls that failed (time-out, connection, refused); the read went on to the store.
    public var sharedErrors = 0
    /// Keys deleted after a write.
    public var invalidations = 0
    /// Loads whose result was not kept because the key was invalidated while they ran.
    public var discardedLoads = 0
    /// Reads of keys that were hot at the time.
    public var hotReads = 0

    public init() {}

    /// Reads answered without the store, as a fraction of all reads (0 before any read).
    public var hitRatio: Double {
        let reads = localHits + sharedHits + loads
        return reads == 0 ? 0 : Double(localHits + sharedHits) / Double(reads)
    }
}
