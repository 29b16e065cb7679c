// Lesson 05: the client half of ordering — deliver in sequence, notice what is missing.
//
// Every message carries its own number and the number of the message before it in the same
// conversation (`seq`, `prevSeq`). Numbers may skip (a crash of the allocator skips up to one
// step), so "next = last + 1" cannot find a gap; the link to the previous one can: an item whose
// `previous` is not the last delivered position waits, and the range between is pulled.

import CourseSupport

/// Delivers items in chain order, holds back items that arrive early, and reports gaps.
public struct ReorderBuffer<Item: Sendable>: Sendable {
    /// A missing stretch: the items with a position above `after` and at most `through`.
    public struct Gap: Hashable, Sendable {
        public let after: Int64
        public let through: Int64
        public init(after: Int64, through: Int64) {
            self.after = after
            self.through = through
        }
    }

    /// The position of the last item delivered.
    public private(set) var position: Int64
    /// Items that arrived early, by the position they follow.
    private var waiting: [Int64: (position: Int64, item: Item)] = [:]

    /// A buffer that has delivered everything up to `position` (0 for "nothing yet").
    public init(after position: Int64 = 0) {
        self.position = position
    }

    /// How many items wait behind a gap.
    public var waitingCount: Int { waiting.count }

    /// Offers an item numbered `position` whose predecessor is `previous`. Returns the items that
    /// can now be delivered, in order. Items already delivered or already waiting are dropped.
    public mutating func offer(_ item: Item, at position: Int64, after previous: Int64) -> [Item] {
        // BEGIN EXERCISE 05.3: Drop duplicates, hold items whose predecessor is not delivered yet, then release the chain.
        guard position > self.position, previous < position else { return [] }
        if let already = waiting[previous], already.position == position { return [] }
        waiting[previous] = (position, item)
        return releaseChain()
        // STUB: _ = Exercise.notImplemented("05.3", expected: "items released in chain order (previous == last delivered), duplicates dropped, early items held")
        // STUB: return []
        // END EXERCISE 05.3
    }

    /// The stretch to pull from the server, when items wait behind a gap.
    public var gap: Gap? {
        guard let earliest = waiting.keys.min() else { return nil }
        return Gap(after: position, through: earliest)
    }

    /// Declares everything up to `newPosition` delivered (after pulling a gap and finding the
    /// numbers were skipped, or after a reset). Returns the waiting items this releases.
    public mutating func skip(to newPosition: Int64) -> [Item] {
        guard newPosition > position else { return [] }
        position = newPosition
        waiting = waiting.filter { $0.value.position > newPosition }
        // An item waiting for a predecessor at or below the new position can go now.
        if let (previous, entry) = waiting.filter({ $0.key <= newPosition }).min(by: { $0.key < $1.key }) {
            waiting[previous] = nil
            waiting[newPosition] = entry
        }
        return releaseChain()
    }

    private mutating func releaseChain() -> [Item] {
        var released: [Item] = []
        while let next = waiting.removeValue(forKey: position) {
            position = next.position
            released.append(next.item)
        }
        return released
    }
}
