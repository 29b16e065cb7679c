// LESSON 17 STARTER, generated from Solutions/IMCache/Server/Cache.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 17: the multi-level cache joins the server as a `ServerExtension` (lesson 03's seam).
//
// Level 1 lives in this process; level 2 is Redis when addresses are configured, and absent
// otherwise (the IM then runs with level 1 alone). One service keeps the Bloom filter of user ids
// up to date; another closes the Redis connections after the listener has stopped.

import IMCore
import IMGateway
import IMStore
import ServiceLifecycle

/// The profile cache in the assembled server.
public struct Cache: ServerExtension {
    public var name: String { "cache" }
    public let configuration: CacheConfiguration
    public let profiles: ProfileCache
    let shared: RedisSharedCache?

    public init(configuration: CacheConfiguration = CacheConfiguration(), store: SQLiteStore) {
        self.init(configuration: configuration, source: SQLiteProfileSource(store: store))
    }

    public init(configuration: CacheConfiguration, source: any ProfileSource) {
        self.configuration = configuration
        var cacheSettings = configuration
        if !configuration.enabled {
            // Off: nothing is kept at level 1 for longer than an instant, and level 2 is not used.
            cacheSettings.localTTL = .zero
            cacheSettings.hotTTL = .zero
            cacheSettings.negativeTTL = .zero
        }
        shared =
            configuration.redis.isEmpty || !configuration.enabled
            ? nil
            : RedisSharedCache(
                clients: configuration.redis.map {
                    RedisClient(
                        endpoint: $0, size: configuration.redisConnections, connectTimeout: configuration.redisConnectTimeout,
                        commandTimeout: configuration.redisCommandTimeout)
                })
        profiles = ProfileCache(source: source, configuration: cacheSettings, shared: shared)
    }

    public func frameHandlers(gateway: Gateway) -> [any FrameHandler] {
        [CacheFrameHandler(profiles: profiles, redis: shared == nil ? [] : configuration.redis)]
    }

    public func makeServices(context: ServerExtensionContext) -> [any Service] {
        [KnownIDsRefresher(profiles: profiles, interval: configuration.bloomRefresh)]
            + (shared.map { [RedisCloser(shared: $0)] as [any Service] } ?? [])
    }
}

/// Fills the Bloom filter of existing user ids at start, then adds new users every `interval`.
struct KnownIDsRefresher: Service {
    let profiles: ProfileCache
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // A failed read leaves the filter as it was: it only ever rules out fewer ids.
                try? await profiles.refreshKnownIDs()
                try? await Task.sleep(for: interval)
            }
        }
    }
}

/// Closes the Redis connections at shutdown.
struct RedisCloser: Service {
    let shared: RedisSharedCache

    func run() async throws {
        try? await gracefulShutdown()
        await shared.close()
    }
}
