// Scenario `store`: the storage path alone, in process — SyncStore.store with no network, no JSON.
// Comparing it with `chat` splits the time between storage and everything around it.

import ArgumentParser
import Foundation
import Histogram
import IMCore
import IMStore
import IMSync

struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Store messages through SyncStore directly: the storage path's throughput and latency.")

    @Option(help: "Concurrent writers.")
    var writers = 64
    @Option(help: "Seconds of measured work.")
    var duration = 5
    @Option(help: "Users the messages go between.")
    var users = 100
    @Flag(help: "Sync every commit to disk (synchronous=FULL).")
    var syncEveryCommit = false
    @Option(help: "Write the result as JSON to this file.")
    var json: String?

    struct Parameters: Codable {
        var writers: Int
        var durationSeconds: Int
        var users: Int
        var syncEveryCommit: Bool
    }

    struct Figures: Codable {
        var stored: Int
        var storedPerSecond: Double
        var latency: LatencySummary
    }

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("im-bench-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = try SQLiteStore(
            configuration: .init(
                path: folder.appendingPathComponent("im.sqlite").path, syncEveryCommit: syncEveryCommit,
                migrations: SyncStore.migrations))
        let store = SyncStore(base: base)
        say("im-bench store: \(writers) writers, \(duration) s, \(syncEveryCommit ? "synchronous=FULL" : "synchronous=NORMAL")")
        let clock = ContinuousClock()
        let end = clock.now + .seconds(duration)
        let userCount = Int64(max(2, users))
        let results = try await withThrowingTaskGroup(of: (Int, Histogram<UInt64>).self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000)
                    var count = 0
                    while clock.now < end {
                        let from = Int64.random(in: 1...userCount)
                        var to = Int64.random(in: 1...userCount)
                        if to == from { to = from % userCount + 1 }
                        let started = clock.now
                        _ = try await store.store(
                            OutgoingMessage(
                                from: UserID(from), to: UserID(to), clientMsgID: "w\(writer)-\(count)", body: "bench message"),
                            sentAt: currentMilliseconds())
                        _ = histogram.record(UInt64(seconds(clock.now - started) * 1_000_000))
                        count += 1
                    }
                    return (count, histogram)
                }
            }
            return try await collect(&group)
        }
        let figures = Figures(
            stored: results.0, storedPerSecond: Double(results.0) / Double(duration), latency: LatencySummary(results.1))
        say(String(format: "stored %8.0f msg/s (%d messages)", figures.storedPerSecond, figures.stored))
        say("store latency  \(figures.latency.line)")
        try BenchResult(
            scenario: "store",
            parameters: Parameters(writers: writers, durationSeconds: duration, users: users, syncEveryCommit: syncEveryCommit),
            results: figures
        ).write(to: json)
    }
}
