// Lesson 17 tests, part 7: profiles through the cache of a real server on loopback, over a real
// WebSocket — with level 1 alone (no Redis configured) and with a real Redis as level 2.

import Foundation
import IMCache
import IMClient
import IMComposition
import IMCore
import IMTestSupport
import Testing

struct ProfileReply: Decodable {
    let users: [User]
    let missing: [UserID]
}

struct RenameReply: Decodable {
    let user: User
}

extension IMWebSocketClient {
    /// Sends a dotted frame and returns the answer's data, or throws the error frame's error.
    func ask<T: Decodable>(_ type: String, id: String, json: String, as _: T.Type = T.self) async throws -> T {
        send(.extension(ExtensionFrame(type: type, id: id, data: try JSONValue(json: Array(json.utf8)))))
        let frame = try await next { frame in
            switch frame {
            case .extension(_, let ref, _), .error(let ref, _): ref == id
            default: false
            }
        }
        switch frame {
        case .extension(_, _, let data?): return try JSONDecoder().decode(T.self, from: Data(data.jsonBytes))
        case .error(_, let error): throw error
        default: throw IMClientError.closed
        }
    }
}

@Suite("17 Cache end to end", .serialized)
struct CacheEndToEndTests {
    /// Profiles, a miss for an unknown id, a rename seen at once, stats, bad input.
    func exercise(_ server: TestServer, redis: Bool) async throws {
        let alice = try await server.registerUser("alice")
        let bob = try await server.registerUser("bob")
        let socket = try await server.connect(alice)
        defer { socket.close() }
        // 0: below the highest id known, never added to the Bloom filter: turned away at once.
        // 99999999: above it (maybe a user registered since the filter was filled): loaded once, then negative-cached.
        let ids = "{\"ids\":[\(bob.id),\(alice.id),0,99999999]}"
        for round in 1...3 {
            let reply = try await socket.ask("user.profile", id: "p\(round)", json: ids, as: ProfileReply.self)
            #expect(reply.users.map(\.id) == [bob.id, alice.id], "both profiles, in the order asked")
            #expect(reply.missing == [UserID(0), UserID(99_999_999)], "the unknown ids are reported missing")
        }
        var stats = try await socket.ask("cache.stats", id: "s1", json: "{}", as: CacheStatsReply.self)
        #expect(
            stats.profiles.loads == 3, "Exercises 17.1, 17.4: two profiles and one absence loaded once each; \(stats.profiles)")
        #expect(stats.profiles.localHits == 6, "Exercises 17.1, 17.4: rounds 2 and 3 from level 1; \(stats.profiles)")
        #expect(stats.profiles.negativeHits == 2, "Exercises 17.1, 17.4: the absent id answered from its negative entry twice")
        #expect(stats.bloomRejected == 3, "id 0 was turned away by the Bloom filter in each of 3 rounds")
        #expect(stats.redis.isEmpty == !redis, "Redis listed only when configured: \(stats.redis)")

        let bobSocket = try await server.connect(bob)
        defer { bobSocket.close() }
        let renamed = try await bobSocket.ask("user.rename", id: "r1", json: "{\"displayName\":\"Bob B.\"}", as: RenameReply.self)
        #expect(renamed.user.displayName == "Bob B.")
        let after = try await socket.ask("user.profile", id: "p4", json: "{\"ids\":[\(bob.id)]}", as: ProfileReply.self)
        #expect(after.users.first?.displayName == "Bob B.", "Exercise 17.4: the rename is seen at once (delete after write)")
        stats = try await socket.ask("cache.stats", id: "s2", json: "{}", as: CacheStatsReply.self)
        #expect(stats.profiles.invalidations == 1 && stats.profiles.loads == 4, "one invalidation, one reload: \(stats.profiles)")
        if redis { #expect(stats.profiles.sharedErrors == 0, "Redis answered every call: \(stats.profiles)") }

        for (id, type, json, code) in [
            ("b1", "user.profile", "{\"ids\":[]}", ErrorCode.invalidArgument),
            ("b2", "user.profile", "{\"ids\":\"x\"}", .badFrame),
            ("b3", "user.rename", "{\"displayName\":\"   \"}", .invalidArgument),
            ("b4", "user.rename", "{\"displayName\":\"\(String(repeating: "x", count: 65))\"}", .invalidArgument),
        ] {
            do {
                _ = try await socket.ask(type, id: id, json: json, as: ProfileReply.self)
                Issue.record("\(type) \(json) must be refused")
            } catch let error as IMError {
                #expect(error.code == code, "\(type) \(json): \(error)")
            }
        }
        let unchanged = try await socket.ask("user.profile", id: "p5", json: "{\"ids\":[\(alice.id)]}", as: ProfileReply.self)
        #expect(unchanged.users.first?.displayName == alice.credentials.user.displayName, "a refused rename changes nothing")
    }

    @Test(
        "level 1 alone (no Redis): profiles cached, unknown ids turned away, a rename seen at once, bad input refused (17.1, 17.4)"
    )
    func levelOneOnly() async throws {
        try await withTestServer { server in try await exercise(server, redis: false) }
    }

    @Test(
        "with a real Redis as level 2: the same, and Redis holds the profiles (17.2, 17.4)",
        .enabled(if: RedisAvailability.runs, RedisAvailability.skipReason))
    func withRedisLevelTwo() async throws {
        try await withRedis { redis in
            try await withTestServer(configure: { $0.cache.redis = [redis.endpoint] }) { server in
                try await exercise(server, redis: true)
                let client = RedisClient(endpoint: redis.endpoint)
                let keys = try await client.send(["KEYS", "im:user:*"])
                guard case .array(let names?) = keys else {
                    Issue.record("KEYS answers an array")
                    return
                }
                #expect(names.count == 3, "Exercise 17.4: both profiles and the absence are in Redis; keys \(names)")
                await client.close()
            }
        }
    }
}
