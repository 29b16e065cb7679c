// LESSON 04 STARTER, generated from Solutions/IMDelivery/DuplicateFilter.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 04: the client's half of "at least once" — drop what was already shown.
//
// Re-pushes and reconnect catch-up both mean a client can receive the same message twice. It
// remembers the ids it has seen (a bounded window, oldest forgotten first) and drops repeats.

/// Remembers the last `capacity` keys seen.
public struct DuplicateFilter<Key: Hashable & Sendable>: Sendable {
    public let capacity: Int
    private var seen: Set<Key> = []
    private var order: [Key] = []
    private var head = 0

    public init(capacity: Int = 4_096) {
        self.capacity = max(1, capacity)
    }

    /// `true` the first time `key` is offered, `false` for a repeat still remembered.
    public mutating func isFirstDelivery(of key: Key) -> Bool {
        guard seen.insert(key).inserted else { return false }
        if order.count < capacity {
            order.append(key)
        } else {
            seen.remove(order[head])
            order[head] = key
            head = (head + 1) % capacity
        }
        return true
    }
}
