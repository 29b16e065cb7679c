// LESSON 17 STARTER, generated from Solutions/IMCache/Tiered/HotKeyDetector.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 17: finding hot keys, so a node keeps its own copy of them longer.
//
// Given. One celebrity's profile or one huge group's member list can draw more reads than one
// Redis instance serves; consistent hashing puts all of them on the same instance. A node that
// sees a key read more than `threshold` times in a window marks it hot, and the tiered cache then
// keeps it in level 1 for the longer hot TTL: the reads stay in the process.

/// Counts reads per key in fixed windows; bounded so a scan of many keys cannot grow it.
public struct HotKeyDetector<Key: Hashable & Sendable>: Sendable {
    public var threshold: Int
    public var window: Duration
    public var maxTrackedKeys: Int

    private var windowStart: ContinuousClock.Instant?
    private var counts: [Key: Int] = [:]
    private var hot: Set<Key> = []
    private var previousHot: Set<Key> = []

    public init(threshold: Int = 100, window: Duration = .seconds(1), maxTrackedKeys: Int = 10_000) {
        self.threshold = max(1, threshold)
        self.window = window
        self.maxTrackedKeys = max(1, maxTrackedKeys)
    }

    /// Counts one read of `key` at `now`; returns whether the key is hot (in this window or the last).
    public mutating func record(_ key: Key, now: ContinuousClock.Instant) -> Bool {
        if windowStart.map({ now - $0 >= window }) ?? true {
            // A new window: what was hot stays hot for one more window, so a hot key does not
            // flap cold at every window edge.
            previousHot = hot
            hot = []
            counts = [:]
            windowStart = now
        }
        if let count = counts[key] {
            counts[key] = count + 1
            if count + 1 >= threshold { hot.insert(key) }
        } else if counts.count < maxTrackedKeys {
            counts[key] = 1
            if threshold == 1 { hot.insert(key) }
        }
        return hot.contains(key) || previousHot.contains(key)
    }

    public func isHot(_ key: Key) -> Bool { hot.contains(key) || previousHot.contains(key) }
}
