// LESSON 17 STARTER, generated from Solutions/IMCache/Local/LRUCache.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 17, level 1 of the cache: a least-recently-used map bounded by entry count and by bytes,
// whose entries expire. Pure and synchronous: the caller passes the clock and guards it (a Mutex).
//
// You write exercise 17.1 here: insertion with eviction. The lookup and the linked list of
// indices are given: `touch`, `unlink` and `pushFront` move entries between the most and least
// recent ends, `remove(slot:)` forgets an entry.

import CourseSupport

/// A bounded map that forgets the least recently used entries first and expired entries on sight.
public struct LRUCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    struct Node: Sendable {
        var key: Key
        var value: Value
        var cost: Int
        var expiresAt: ContinuousClock.Instant
        var newer: Int?
        var older: Int?
    }

    /// Most entries kept at once.
    public let maxEntries: Int
    /// Most bytes (the sum of the costs given to `set`) kept at once.
    public let maxBytes: Int

    var nodes: [Node] = []
    var free: [Int] = []
    var index: [Key: Int] = [:]
    /// The most recently used entry.
    var head: Int?
    /// The least recently used entry: the next to be evicted.
    var tail: Int?

    /// The sum of the costs of the entries kept.
    public private(set) var bytes = 0
    /// Entries dropped to stay within the bounds (expired entries are not counted).
    public private(set) var evictions = 0

    public var count: Int { index.count }

    public init(maxEntries: Int, maxBytes: Int = .max) {
        precondition(maxEntries > 0 && maxBytes > 0, "an LRU needs room for at least one entry")
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }

    /// The value of `key` if it is kept and not expired at `now`; it becomes the most recent entry.
    /// An expired entry is removed.
    public mutating func value(for key: Key, now: ContinuousClock.Instant) -> Value? {
        guard let slot = index[key] else { return nil }
        guard nodes[slot].expiresAt > now else {
            remove(slot: slot)
            return nil
        }
        touch(slot)
        return nodes[slot].value
    }

    /// Keeps `value` for `key` until `expiresAt`, as the most recent entry, then evicts the least
    /// recently used entries until both bounds hold. A value costing more than `maxBytes` is not kept.
    public mutating func set(_ value: Value, for key: Key, cost: Int, expiresAt: ContinuousClock.Instant) {
        if let slot = index[key] { remove(slot: slot) }
        guard cost <= maxBytes else { return }
        // BEGIN EXERCISE 17.1: Insert at the most recent end (reuse a free slot), add its cost, then evict from the least recent end while over either bound.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 17
        _ = Exercise.notImplemented("17.1", expected: "the entry kept as most recent (a free slot reused), then the least recently used evicted while over maxEntries or maxBytes")
        // END EXERCISE 17.1
    }

    /// Forgets `key` (the delete of invalidation). Returns whether it was kept.
    @discardableResult
    public mutating func removeValue(for key: Key) -> Bool {
        guard let slot = index[key] else { return false }
        remove(slot: slot)
        return true
    }

    /// Forgets everything.
    public mutating func removeAll() {
        self = LRUCache(maxEntries: maxEntries, maxBytes: maxBytes)
    }

    /// The keys from most to least recently used (for tests and the lesson's diagrams).
    public var keysByRecency: [Key] {
        var keys: [Key] = []
        var cursor = head
        while let slot = cursor {
            keys.append(nodes[slot].key)
            cursor = nodes[slot].older
        }
        return keys
    }
}

extension LRUCache {
    /// Moves `slot` to the most recent end.
    mutating func touch(_ slot: Int) {
        guard head != slot else { return }
        unlink(slot)
        pushFront(slot)
    }

    mutating func pushFront(_ slot: Int) {
        nodes[slot].older = head
        nodes[slot].newer = nil
        if let head { nodes[head].newer = slot }
        head = slot
        if tail == nil { tail = slot }
    }

    mutating func unlink(_ slot: Int) {
        let (newer, older) = (nodes[slot].newer, nodes[slot].older)
        if let newer { nodes[newer].older = older } else { head = older }
        if let older { nodes[older].newer = newer } else { tail = newer }
        nodes[slot].newer = nil
        nodes[slot].older = nil
    }

    /// Unlinks `slot`, forgets its key and frees the slot for the next insertion.
    mutating func remove(slot: Int) {
        unlink(slot)
        index[nodes[slot].key] = nil
        bytes -= nodes[slot].cost
        free.append(slot)
    }
}
