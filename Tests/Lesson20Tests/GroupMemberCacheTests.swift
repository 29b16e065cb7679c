// Lesson 20 tests: the member-list cache and its races with membership changes — no I/O; the
// "store" is a closure, and the races are played in a fixed order.

import IMCore
import IMGroup
import Synchronization
import Testing

@Suite("20 Member-list cache")
struct GroupMemberCacheTests {
    let group = GroupID(7)

    @Test("a list is read from the store once, then answered from memory until the membership changes")
    func cachesUntilChange() async throws {
        let cache = GroupMemberCache()
        let reads = Mutex(0)
        let store = Mutex([UserID(1), UserID(2)])
        let load: () async throws -> [UserID] = {
            reads.withLock { $0 += 1 }
            return store.withLock { $0 }
        }
        #expect(try await cache.members(of: group, load: load) == [UserID(1), UserID(2)])
        #expect(try await cache.members(of: group, load: load) == [UserID(1), UserID(2)])
        #expect(reads.withLock { $0 } == 1, "the second lookup is answered from memory")
        try await cache.changing(group) { store.withLock { $0.append(UserID(3)) } }
        #expect(try await cache.members(of: group, load: load) == [UserID(1), UserID(2), UserID(3)], "a change drops the list")
        #expect(cache.counts.hits == 1 && cache.counts.misses == 2)
    }

    @Test("a list read before a removal and returned after it is not kept: the removed member gets no later push")
    func staleLoadIsNotKept() async throws {
        let cache = GroupMemberCache()
        let store = Mutex([UserID(1), UserID(2)])
        // A send's lookup reads the store; before it returns, user 2 is removed.
        let stale = try await cache.members(of: group) {
            let before = store.withLock { $0 }
            try await cache.changing(group) { store.withLock { $0.removeAll { $0 == UserID(2) } } }
            return before
        }
        #expect(stale.contains(UserID(2)), "that send's own message is older than the removal: it may go to user 2")
        let next = try await cache.members(of: group) { store.withLock { $0 } }
        #expect(next == [UserID(1)], "the next send reads the store again: the old list was not kept")
    }

    @Test("while a change runs, every lookup reads the store and nothing is kept")
    func noCachingDuringAChange() async throws {
        let cache = GroupMemberCache()
        _ = try await cache.members(of: group) { [UserID(1), UserID(2)] }
        try await cache.changing(group) {
            // The store has committed the removal; the cache has not been told the result yet.
            let during = try await cache.members(of: group) { [UserID(1)] }
            #expect(during == [UserID(1)], "a lookup during the change is not answered from the old list")
        }
        let after = try await cache.members(of: group) { [UserID(1)] }
        #expect(after == [UserID(1)])
        #expect(cache.counts.hits == 0, "nothing was answered from memory around the change")
    }
}
