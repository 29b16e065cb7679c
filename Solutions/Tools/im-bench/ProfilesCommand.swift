// Scenario `profiles` (lesson 17): a read-heavy path through the multi-level cache.
//
// `--users` accounts exist; each of `--readers` WebSockets asks `user.profile` for a few ids at a
// time, one request in flight, ids drawn with a skew (a few profiles are read far more often, as
// in a real contact list). At the end the server's `cache.stats` gives the hit ratio per level.
// Run it with `--redis host:port` (level 2) or `--no-cache` (every read from SQLite) to compare.

import ArgumentParser
import Foundation
import Histogram
import IMClient
import IMCore

struct ProfilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "user.profile reads through the multi-level cache (lesson 17): reads/s, latency, hit ratio.")

    @OptionGroup var target: TargetOptions
    @Option(help: "Accounts whose profiles are read.")
    var users = 200
    @Option(help: "WebSocket connections reading, one request in flight each.")
    var readers = 8
    @Option(help: "Ids per user.profile request.")
    var batch = 10
    @Option(help: "Seconds of measured traffic.")
    var duration = 5
    @Option(help: "A Redis (host:port) for the started server's level 2.")
    var redis: String?
    @Flag(help: "Start the server with the cache off (--cache-entries 0): every read goes to SQLite.")
    var noCache = false

    struct Parameters: Codable {
        var users: Int
        var readers: Int
        var batch: Int
        var durationSeconds: Int
        var redis: String?
        var cache: Bool
    }

    struct Figures: Codable {
        var requests: Int
        var requestsPerSecond: Double
        var latency: LatencySummary
        var localHits: Int
        var sharedHits: Int
        var loads: Int
        var hitRatio: Double
    }

    private struct Stats: Decodable {
        struct Profiles: Decodable {
            let localHits: Int
            let sharedHits: Int
            let loads: Int
        }
        let profiles: Profiles
    }

    func run() async throws {
        let arguments = (redis.map { ["--redis", $0] } ?? []) + (noCache ? ["--cache-entries", "0"] : [])
        let server = try await BenchTarget.make(target, serverArguments: arguments)
        defer { server.stop() }
        say(
            "im-bench profiles: \(users) users, \(readers) readers, batch \(batch), \(duration) s, redis \(redis ?? "none"), cache \(noCache ? "off" : "on")"
        )
        let client = IMHTTPClient(baseURL: server.baseURL)
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        var ids: [UserID] = []
        var tokens: [String] = []
        for index in 0..<max(users, readers) {
            let credentials = try await client.register(
                username: "prof\(tag)u\(index)", password: "bench-password", displayName: nil, deviceID: "bench")
            ids.append(credentials.user.id)
            if tokens.count < readers { tokens.append(credentials.token) }
        }
        let end = ContinuousClock.now + .seconds(duration)
        let (batch, pool) = (batch, ids)
        let results = try await withThrowingTaskGroup(of: (Int, Histogram<UInt64>).self) { group in
            for token in tokens {
                group.addTask {
                    let socket = try await IMWebSocketClient.connect(baseURL: server.baseURL, token: token)
                    defer { socket.close() }
                    var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000)
                    var count = 0
                    while ContinuousClock.now < end {
                        // Skewed: the square of a uniform number picks low indices far more often.
                        let picked = (0..<batch).map { _ in pool[Int(pow(Double.random(in: 0..<1), 2) * Double(pool.count))] }
                        let id = "p\(count)"
                        let data = try JSONValue(json: Array(try JSONEncoder().encode(["ids": picked])))
                        let sent = ContinuousClock.now
                        socket.send(.extension(ExtensionFrame(type: "user.profile", id: id, data: data)))
                        let frame = try await socket.next { frame in
                            switch frame {
                            case .extension(_, let ref, _), .error(let ref, _): ref == id
                            default: false
                            }
                        }
                        if case .error(_, let error) = frame { throw BenchError("user.profile refused: \(error)") }
                        _ = histogram.record(UInt64(seconds(ContinuousClock.now - sent) * 1_000_000))
                        count += 1
                    }
                    return (count, histogram)
                }
            }
            return try await collect(&group)
        }
        let statsSocket = try await IMWebSocketClient.connect(baseURL: server.baseURL, token: tokens[0])
        statsSocket.send(.extension(ExtensionFrame(type: "cache.stats", id: "stats", data: nil)))
        let frame = try await statsSocket.next { if case .extension(_, "stats", _) = $0 { true } else { false } }
        statsSocket.close()
        guard case .extension(_, _, let data?) = frame else { throw BenchError("cache.stats gave no data") }
        let stats = try JSONDecoder().decode(Stats.self, from: Data(data.jsonBytes)).profiles
        let reads = stats.localHits + stats.sharedHits + stats.loads
        let figures = Figures(
            requests: results.0, requestsPerSecond: Double(results.0) / Double(duration), latency: LatencySummary(results.1),
            localHits: stats.localHits, sharedHits: stats.sharedHits, loads: stats.loads,
            hitRatio: reads == 0 ? 0 : Double(stats.localHits + stats.sharedHits) / Double(reads))
        say(String(format: "answered  %8.0f requests/s  (%d requests of %d ids)", figures.requestsPerSecond, results.0, batch))
        say("latency           \(figures.latency.line)")
        say(
            String(
                format: "cache             level 1 hits %d · level 2 hits %d · store loads %d · hit ratio %.3f",
                stats.localHits, stats.sharedHits, stats.loads, figures.hitRatio))
        try BenchResult(
            scenario: "profiles",
            parameters: Parameters(
                users: users, readers: readers, batch: batch, durationSeconds: duration, redis: redis, cache: !noCache),
            results: figures
        ).write(to: target.json)
    }
}
