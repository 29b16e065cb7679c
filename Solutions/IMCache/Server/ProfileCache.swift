// Lesson 17: user profiles through the tiered cache, with a Bloom filter of existing ids.
//
// Profiles are what an IM reads most and changes least: every contact list, every group member
// list and every message shown names its sender. This puts lesson 17's pieces together for them:
// a Bloom filter turns away ids that never existed, the tiered cache answers the rest, and a
// rename deletes the cached copies after the store has committed it.

import Foundation
import IMCore
import Synchronization

/// Cached profiles of one server.
public final class ProfileCache: Sendable {
    public let cache: TieredCache<User>
    let source: any ProfileSource

    struct Known: Sendable {
        var bloom = BloomFilter(expected: 100_000, falsePositiveRate: 0.01)
        /// Every id up to this one that exists is in the filter. Ids above it may belong to users
        /// registered since (lesson 11's registration does not tell the cache): the filter cannot
        /// rule them out, so they go on to the cache, whose negative entries stop repeats.
        var filledThrough = UserID(0)
        var rejected = 0
    }

    let known = Mutex(Known())

    public init(source: any ProfileSource, configuration: CacheConfiguration, shared: (any SharedCache)?) {
        self.source = source
        cache = TieredCache(prefix: "user:", configuration: configuration, shared: shared)
    }

    /// Ids the Bloom filter turned away without a cache or store lookup.
    public var rejected: Int { known.withLock { $0.rejected } }

    /// Adds the ids created since the last call to the Bloom filter (the first call reads them all).
    /// Ids are handed out in increasing order by one writer, so nothing below the highest id read
    /// can appear later.
    public func refreshKnownIDs() async throws {
        let after = known.withLock { $0.filledThrough }
        let ids = try await source.userIDs(after: after)
        known.withLock { known in
            for id in ids { known.bloom.insert(UInt64(bitPattern: id.rawValue)) }
            known.filledThrough = max(known.filledThrough, ids.last ?? after)
        }
    }

    /// The profile of `id`, or nil when there is no such user.
    public func profile(_ id: UserID) async throws -> User? {
        let certainlyAbsent = known.withLock { known in
            let absent = id <= known.filledThrough && !known.bloom.mayContain(UInt64(bitPattern: id.rawValue))
            if absent { known.rejected += 1 }
            return absent
        }
        if certainlyAbsent { return nil }
        let source = source
        return try await cache.value(for: String(id.rawValue)) { try await source.user(id) }
    }

    /// Renames `id`: the store first, then the cached copies are deleted (not updated: see the
    /// lesson). Nil when there is no such user.
    public func rename(_ id: UserID, to displayName: String) async throws -> User? {
        guard let user = try await source.rename(id, to: displayName) else { return nil }
        await cache.invalidate(String(id.rawValue))
        return user
    }
}
