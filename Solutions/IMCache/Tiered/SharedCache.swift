// Lesson 17: level 2, the cache every node shares (Redis), behind a protocol so the tiered
// cache can be tested without I/O and the server can run without Redis.

/// A cache shared by every node. Every call may fail; the tiered cache then reads on from the store.
public protocol SharedCache: Sendable {
    func get(_ key: String) async throws -> [UInt8]?
    func set(_ key: String, _ value: [UInt8], ttl: Duration) async throws
    func delete(_ key: String) async throws
}

/// Level 2 on one or several Redis instances, each key on the instance the ring gives it.
public struct RedisSharedCache: SharedCache {
    public let ring: ConsistentHashRing<RedisEndpoint>
    public let clients: [RedisEndpoint: RedisClient]

    public init(clients: [RedisClient], virtualNodes: Int = 160) {
        precondition(!clients.isEmpty, "level 2 needs at least one Redis instance")
        ring = ConsistentHashRing(nodes: clients.map(\.endpoint), virtualNodes: virtualNodes)
        self.clients = Dictionary(clients.map { ($0.endpoint, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func client(for key: String) -> RedisClient {
        clients[ring.node(for: key)!]!
    }

    public func get(_ key: String) async throws -> [UInt8]? { try await client(for: key).get(key) }

    public func set(_ key: String, _ value: [UInt8], ttl: Duration) async throws {
        try await client(for: key).set(key, value, ttl: ttl)
    }

    public func delete(_ key: String) async throws { try await client(for: key).delete([key]) }

    public func close() async {
        for client in clients.values { await client.close() }
    }
}
