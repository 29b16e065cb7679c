// LESSON 20 STARTER, generated from Solutions/IMGroup/GroupMemberCache.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 20: the member lists of busy groups, kept in memory.
//
// Every send to a group needs its active members, to push to those online. Read from SQLite,
// that is one index range of up to 10,000 rows per message: at 10 messages a second in a big
// group, 100,000 rows a second for a list that changes a few times a day. The list is cached
// per group and dropped when the group's membership changes.
//
// The races to mind, both around a change of membership:
// - A send reads the list from the store just before a removal commits, and puts the old list in
//   the cache after the removal dropped it: the removed member would get later messages. So a
//   change bumps the group's generation when it starts and when it ends, and a list read from
//   the store is kept only if no change started or ended meanwhile.
// - A send that comes between the removal's commit and the drop must not be answered from the
//   old list either. So while a change runs, the group's list is not cached at all: every send
//   reads the store, which already has the change or does not (and then its message is older).
// (On one node. With several, lesson 18's cluster would send the drops to every node.)

import IMCore
import Synchronization

/// Active member lists per group, dropped on every membership change.
public final class GroupMemberCache: Sendable {
    struct State {
        var lists: [GroupID: [UserID]] = [:]
        var generations: [GroupID: UInt64] = [:]
        /// Changes of membership running now, per group.
        var changing: [GroupID: Int] = [:]
        var hits = 0
        var misses = 0
    }

    /// The most groups whose lists are kept; past it, the cache starts again empty (a big group's
    /// list is 80 KB: 10,000 groups of 10,000 would be 800 MB, so the bound matters).
    public let maxGroups: Int
    private let state = Mutex(State())

    public init(maxGroups: Int = 1_000) {
        self.maxGroups = maxGroups
    }

    /// The cached list of `group`, or the one `load` reads (kept when no change came meanwhile).
    public func members(of group: GroupID, load: () async throws -> [UserID]) async throws -> [UserID] {
        let (cached, generation) = state.withLock { state -> ([UserID]?, UInt64) in
            let cached = state.changing[group] == nil ? state.lists[group] : nil
            if cached == nil { state.misses += 1 } else { state.hits += 1 }
            return (cached, state.generations[group, default: 0])
        }
        if let cached { return cached }
        let loaded = try await load()
        state.withLock { state in
            // A change started or ended meanwhile, or is running: the list may be old already.
            guard state.generations[group, default: 0] == generation, state.changing[group] == nil else { return }
            if state.lists.count >= maxGroups { state.lists.removeAll(keepingCapacity: true) }
            state.lists[group] = loaded
        }
        return loaded
    }

    /// Runs `change`, a change of `group`'s membership in the store; meanwhile and after it,
    /// the group's list is read from the store again.
    public func changing<Result>(_ group: GroupID, _ change: () async throws -> Result) async throws -> Result {
        state.withLock { state in
            state.changing[group, default: 0] += 1
            state.lists[group] = nil
            state.generations[group, default: 0] &+= 1
        }
        defer {
            state.withLock { state in
                let left = state.changing[group, default: 1] - 1
                state.changing[group] = left > 0 ? left : nil
                state.generations[group, default: 0] &+= 1
            }
        }
        return try await change()
    }

    /// Lookups answered from memory and from the store, since the start.
    public var counts: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }
}
