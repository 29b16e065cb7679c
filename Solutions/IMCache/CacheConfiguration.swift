// Lesson 17: the settings of the multi-level cache. Every default runs (level 1 only, no Redis).

/// How big level 1 is, how long each level keeps an entry, where Redis is.
public struct CacheConfiguration: Sendable, Hashable {
    /// Off: every read goes to the store (to compare, or to rule the cache out when debugging).
    public var enabled = true
    /// Level 1 bounds, per node and per cache (profiles are one cache).
    public var localMaxEntries = 10_000
    public var localMaxBytes = 16 << 20
    /// Level 1 keeps an entry this long (±spread): short, because another node's write cannot
    /// reach this node's level 1 except by expiry.
    public var localTTL = Duration.seconds(5)
    /// Level 2 keeps an entry this long (±spread); writes delete it sooner.
    public var sharedTTL = Duration.seconds(300)
    /// The spread of both TTLs, 0...1 (against avalanches).
    public var ttlSpread = 0.2
    /// How long "no such row" is remembered (against penetration): short, so a row created
    /// meanwhile shows up soon.
    public var negativeTTL = Duration.seconds(10)
    /// A key read this often in `hotWindow` on one node is hot, and kept in level 1 for `hotTTL`.
    public var hotThreshold = 50
    public var hotWindow = Duration.seconds(1)
    public var hotTTL = Duration.seconds(30)
    /// How often ids of users registered since are added to the Bloom filter of existing ids.
    public var bloomRefresh = Duration.seconds(10)
    /// Redis instances (`host:port`); empty: level 1 only. Keys are spread over them on a hash ring.
    public var redis: [RedisEndpoint] = []
    /// Pipelined connections per Redis instance.
    public var redisConnections = 2
    public var redisConnectTimeout = Duration.seconds(1)
    /// A command without a reply in this time fails, and the cache reads from the store.
    public var redisCommandTimeout = Duration.milliseconds(200)
    /// Prefix of every key, so several IMs (or tests) can share one Redis.
    public var keyPrefix = "im:"

    public init() {}
}
