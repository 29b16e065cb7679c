// Lesson 17 tests, part 6: the RESP2 client against a real redis-server (pipelining, the pool,
// reconnect, time-outs, errors with codes), and the tiered cache on two real instances.

import Foundation
import IMCache
import IMTestSupport
import Synchronization
import Testing

@Suite("17 Redis client on a real redis-server", .serialized, .enabled(if: RedisAvailability.runs, RedisAvailability.skipReason))
struct RedisClientTests {
    @Test("SET with a TTL, GET, MGET and DEL round-trip any bytes (17.2 parses every reply)")
    func roundTrip() async throws {
        try await withRedis { redis in
            let client = RedisClient(endpoint: redis.endpoint)
            let value: [UInt8] = [0, 13, 10, 255, 36, 42]
            try await client.set("k1", value, ttl: .seconds(30))
            #expect(try await client.get("k1") == value, "Exercise 17.2: the bytes come back as they went")
            #expect(try await client.get("nope") == nil, "Exercise 17.2: a missing key is nil ($-1)")
            #expect(try await client.mget(["k1", "nope"]) == [value, nil], "Exercise 17.2: MGET in order, with a nil")
            guard case .integer(let ttl) = try await client.send(["PTTL", "k1"]) else {
                Issue.record("Exercise 17.2: PTTL answers an integer")
                return
            }
            #expect((1...30_000).contains(ttl), "the key expires within 30 s; PTTL \(ttl)")
            #expect(try await client.delete(["k1", "nope"]) == 1, "Exercise 17.2: DEL counts the one that existed")
            await client.close()
        }
    }

    @Test("1,000 commands pipelined in one write come back in order (17.2)")
    func pipelining() async throws {
        try await withRedis { redis in
            let client = RedisClient(endpoint: redis.endpoint, size: 1)
            let sets = try await client.pipeline((0..<1_000).map { ["SET", "p\($0)", "v\($0)"] })
            #expect(sets.allSatisfy { $0 == .simpleString("OK") }, "Exercise 17.2: 1,000 OKs")
            let gets = try await client.pipeline((0..<1_000).map { ["GET", "p\($0)"] })
            #expect(
                gets == (0..<1_000).map { RESPValue.bulkString(Array("v\($0)".utf8)) },
                "Exercise 17.2: each reply matches its command, in order")
            let mixed = try await client.pipeline([["SET", "n", "x"], ["INCR", "n"], ["GET", "n"]])
            if case .error(let message) = mixed[1] {
                #expect(message.hasPrefix("ERR"), "Redis refuses INCR of a non-number: \(message)")
            } else {
                Issue.record("Exercise 17.2: INCR of a non-number is an error reply; got \(mixed[1])")
            }
            #expect(mixed[2] == .bulkString(Array("x".utf8)), "one refused command does not fail the batch")
            await client.close()
        }
    }

    @Test("300 concurrent callers over a pool of 2 connections each get their own value")
    func concurrentCallers() async throws {
        try await withRedis { redis in
            let client = RedisClient(endpoint: redis.endpoint, size: 2)
            _ = try await client.pipeline((0..<300).map { ["SET", "c\($0)", "\($0)"] })
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<300 {
                    group.addTask { try await client.get("c\(index)") == Array("\(index)".utf8) }
                }
                var right = 0
                for try await ok in group where ok { right += 1 }
                #expect(right == 300, "Exercise 17.2: every caller got its own key's value; \(right) of 300 did")
            }
            let opened = await client.connectsMade
            #expect(opened <= 2, "at most 2 connections opened; \(opened)")
            await client.close()
        }
    }

    @Test("errors carry codes: a refused command is redis_server, a closed port redis_connect, no reply in time redis_timeout")
    func errorsWithCodes() async throws {
        try await withRedis { redis in
            let client = RedisClient(endpoint: redis.endpoint, commandTimeout: .milliseconds(200))
            _ = try await client.send(["SET", "n", "x"])
            do {
                _ = try await client.send(["INCR", "n"])
                Issue.record("INCR of a non-number must throw")
            } catch let error as RedisError {
                #expect(error.code == "redis_server", "a refused command: \(error)")
            }
            do {
                // BLPOP on an empty list blocks 2 s on the server: longer than the 200 ms time-out.
                _ = try await client.send(["BLPOP", "empty", "2"])
                Issue.record("a command without a reply within 200 ms must time out")
            } catch let error as RedisError {
                #expect(error == .timedOut && error.code == "redis_timeout", "no reply in time: \(error)")
            }
            #expect(try await client.send(["PING"]) == .simpleString("PONG"), "the pool goes on after a time-out")
            await client.close()

            let port = try await RedisServerProcess.freePort()
            let nobody = RedisClient(endpoint: RedisEndpoint(host: "127.0.0.1", port: port))
            do {
                _ = try await nobody.get("k")
                Issue.record("a closed port must fail")
            } catch let error as RedisError {
                #expect(error.code == "redis_connect", "nothing listening: \(error)")
            }
        }
    }

    @Test("the pool reconnects after Redis closed its connections")
    func reconnects() async throws {
        try await withRedis { redis in
            let client = RedisClient(endpoint: redis.endpoint, size: 1)
            try await client.set("r", [1], ttl: .seconds(30))
            let before = await client.connectsMade
            let admin = try await RedisConnection.connect(host: redis.endpoint.host, port: redis.endpoint.port)
            _ = try await admin.send(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"].map { Array($0.utf8) })
            await admin.close()
            let back = await eventually { (try? await client.get("r")) == [1] }
            #expect(back, "reads work again on a new connection")
            #expect(await client.connectsMade > before, "a new connection was opened")
            await client.close()
        }
    }

    @Test(
        "two nodes share level 2 on two Redis instances: keys spread over both, an invalidation reaches the other node's next miss (17.4)"
    )
    func tieredOnTwoInstances() async throws {
        try await withRedis { first in
            try await withRedis { second in
                let shared = RedisSharedCache(clients: [
                    RedisClient(endpoint: first.endpoint), RedisClient(endpoint: second.endpoint),
                ])
                var configuration = CacheConfiguration()
                configuration.localTTL = .seconds(60)
                let nodeA = TieredCache<String>(prefix: "name:", configuration: configuration, shared: shared)
                let nodeB = TieredCache<String>(prefix: "name:", configuration: configuration, shared: shared)
                let store = CountingStore()
                for id in 0..<200 { store.rows.withLock { $0[String(id)] = "user \(id)" } }
                for id in 0..<200 { _ = try await nodeA.value(for: String(id), load: { try await store.read(String(id)) }) }
                for id in 0..<200 { _ = try await nodeB.value(for: String(id), load: { try await store.read(String(id)) }) }
                #expect(store.readCount == 200, "Exercise 17.4: node B read all 200 from Redis; store reads \(store.readCount)")
                #expect(nodeB.stats.sharedHits == 200, "Exercise 17.4: 200 level 2 hits on node B: \(nodeB.stats)")
                for redis in [first, second] {
                    let client = RedisClient(endpoint: redis.endpoint)
                    guard case .integer(let keys) = try await client.send(["DBSIZE"]) else { continue }
                    #expect((50...150).contains(keys), "\(redis.endpoint) holds \(keys) of 200 keys")
                    await client.close()
                }
                store.rows.withLock { $0["7"] = "renamed" }
                await nodeA.invalidate("7")
                nodeB.clearLocal()  // node B's level 1 would otherwise keep the old name until its TTL
                #expect(
                    try await nodeB.value(for: "7", load: { try await store.read("7") }) == "renamed",
                    "Exercise 17.4: node B loads the committed name after A's invalidation")
                await shared.close()
            }
        }
    }
}
