// Scenario `room` (lesson 10): one live room, many viewers, a few senders posting at a steady
// rate. Reports posts delivered per second (each post inside a batch counts once per viewer),
// frames and bytes per second, delivery latency (post sent → batch read), server CPU per
// delivered post and server memory per viewer.

import ArgumentParser
import Foundation
import IMClient
import IMToolSupport
import NIOCore
import NIOPosix

struct RoomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "room", abstract: "A live room: fan-out of batched posts to many viewers.")

    @OptionGroup var target: TargetOptions
    @Option(help: "Viewers in the room, each on its own WebSocket.")
    var viewers = 1_000
    @Option(help: "Senders posting to the room (also in the room; not counted as viewers).")
    var senders = 10
    @Option(help: "Posts per second in all, spread over the senders.")
    var rate = 100
    @Option(help: "Seconds of measured traffic.")
    var duration = 10
    @Option(help: "The started server's --room-tick, milliseconds.")
    var tick = 100
    @Option(help: "The started server's --room-comment-cap: comments per second a viewer is sent.")
    var cap = 1_000
    @Option(help: "Post body size in bytes.")
    var bodyBytes = 64
    @Option(help: "One viewer in this many decodes its batches and measures latency.")
    var latencyEvery = 20
    @Option(help: "Event-loop threads of im-bench's own sockets.")
    var threads = 1

    struct Parameters: Codable {
        var viewers: Int
        var senders: Int
        var rate: Int
        var durationSeconds: Int
        var tickMilliseconds: Int
        var commentCap: Int
        var bodyBytes: Int
    }

    struct Figures: Codable {
        var posted: Int
        var postsDeliveredPerSecond: Double
        var framesPerSecond: Double
        var bytesPerSecond: Double
        var sampledPerSecond: Double
        var missedPosts: Int
        var errors: Int
        var latency: LatencySummary
        var serverRSSBytes: Int?
        var serverBytesPerViewer: Double?
        var serverCPUSeconds: Double?
        var serverCPUNanosecondsPerDeliveredPost: Double?
        var benchCPUSeconds: Double?
    }

    func run() async throws {
        let fileLimit = raiseFileLimit()
        guard viewers + senders + 64 <= fileLimit else {
            throw BenchError("\(viewers + senders) sockets do not fit im-bench's open-file limit of \(fileLimit)")
        }
        let perSender = max(1, (rate + senders - 1) / max(1, senders))
        let server = try await BenchTarget.make(
            target,
            serverArguments: [
                "--room-tick", String(tick), "--room-comment-cap", String(cap),
                "--room-post-rate", String(perSender * 2 + 1), "--room-buffer-kib", "1024",
            ])
        defer { server.stop() }
        say(
            "im-bench room: \(viewers) viewers, \(senders) senders at \(rate) posts/s in all, \(duration) s, against \(server.baseURL)"
        )
        guard server.baseURL.hasPrefix("http://") else { throw BenchError("room drives http:// servers only") }

        let client = IMHTTPClient(baseURL: server.baseURL)
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let room = "bench\(tag)"
        let host = try await client.register(
            username: "bench\(tag)host", password: "bench-password", displayName: nil, deviceID: "bench")
        let opened = try await client.authenticated(host).raw(
            "POST", "/api/v1/rooms", body: Array(#"{"room":"\#(room)"}"#.utf8))
        guard opened.status == 201 else { throw BenchError("could not open the room: \(opened.status) \(opened.text)") }
        let rssBefore = server.residentBytes

        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let (viewerSockets, senderSockets) = try await connect(client: client, server: server, tag: tag, room: room, group: group)
        let rssViewers = server.residentBytes
        say("\(viewers) viewers and \(senders) senders joined")

        let interval = Int64(1e9 / Double(perSender))
        let start = NIODeadline.now() + .milliseconds(50)
        let end = start + .seconds(Int64(duration))
        for socket in viewerSockets { await socket.count(true) }
        let cpuAtStart = (server: server.pid.flatMap { cpuSeconds(ofProcess: $0) }, bench: cpuSeconds(ofProcess: nil))
        let body = String(repeating: "x", count: max(0, bodyBytes - 18))
        for (index, socket) in senderSockets.enumerated() {
            socket.post(
                room: room, body: body, interval: interval,
                start: start + .nanoseconds(interval * Int64(index) / Int64(max(1, senders))), end: end)
        }
        // Sending stops at `end`; the last batches have two ticks and a bit to arrive.
        try await Task.sleep(for: .nanoseconds((end - NIODeadline.now()).nanoseconds) + .milliseconds(2 * tick + 300))
        let cpuAtEnd = (server: server.pid.flatMap { cpuSeconds(ofProcess: $0) }, bench: cpuSeconds(ofProcess: nil))
        var seen = RoomSocketStats()
        for socket in viewerSockets { seen.add(await socket.finish()) }
        var sent = RoomSocketStats()
        for socket in senderSockets { sent.add(await socket.finish()) }
        try await group.shutdownGracefully()

        let elapsed = Double(duration)
        var figures = Figures(
            posted: sent.posted, postsDeliveredPerSecond: Double(seen.posts) / elapsed,
            framesPerSecond: Double(seen.frames) / elapsed, bytesPerSecond: Double(seen.bytes) / elapsed,
            sampledPerSecond: Double(seen.sampled) / elapsed, missedPosts: seen.missedPosts,
            errors: seen.errors + sent.errors, latency: LatencySummary(seen.latency), serverRSSBytes: server.residentBytes)
        if let rssBefore, let rssViewers {
            figures.serverBytesPerViewer = Double(rssViewers - rssBefore) / Double(viewers + senders)
        }
        if let startCPU = cpuAtStart.server, let endCPU = cpuAtEnd.server {
            figures.serverCPUSeconds = endCPU - startCPU
            figures.serverCPUNanosecondsPerDeliveredPost = seen.posts > 0 ? (endCPU - startCPU) / Double(seen.posts) * 1e9 : nil
        }
        if let startCPU = cpuAtStart.bench, let endCPU = cpuAtEnd.bench { figures.benchCPUSeconds = endCPU - startCPU }

        say(String(format: "posted     %10d posts (%d sent, %d errors)", sent.posted, sent.sent, figures.errors))
        say(
            String(
                format: "delivered  %10.0f posts/s to viewers (each post in a batch counts once per viewer)",
                figures.postsDeliveredPerSecond))
        say(String(format: "frames     %10.0f /s, %.1f MB/s", figures.framesPerSecond, figures.bytesPerSecond / 1_048_576))
        say(
            String(
                format: "sampled    %10.0f /s; missed by slow viewers: %d posts", figures.sampledPerSecond, figures.missedPosts))
        say("latency    \(figures.latency.line)  (post sent → batch read, 1 viewer in \(latencyEvery))")
        say(
            "server RSS \(megabytes(figures.serverRSSBytes))"
                + (figures.serverBytesPerViewer.map { String(format: ", %.1f KB per viewer", $0 / 1024) } ?? ""))
        if let server = figures.serverCPUSeconds, let bench = figures.benchCPUSeconds {
            let window = elapsed + Double(2 * tick + 300) / 1000
            say(
                String(
                    format: "CPU        server %.2f cores, %.0f ns per delivered post; im-bench %.2f cores",
                    server / window, figures.serverCPUNanosecondsPerDeliveredPost ?? 0, bench / window))
        }
        try BenchResult(
            scenario: "room",
            parameters: Parameters(
                viewers: viewers, senders: senders, rate: rate, durationSeconds: duration, tickMilliseconds: tick,
                commentCap: cap, bodyBytes: bodyBytes),
            results: figures
        ).write(to: target.json)
    }

    /// Registers and connects the viewers, then the senders, 32 at a time; every one joins the room.
    private func connect(
        client: IMHTTPClient, server: BenchTarget, tag: String, room: String, group: MultiThreadedEventLoopGroup
    ) async throws -> (viewers: [RoomSocket], senders: [RoomSocket]) {
        var sockets: [RoomSocket] = []
        let total = viewers + senders
        var next = 0
        while next < total {
            let batch = next..<min(total, next + 32)
            let connected = try await withThrowingTaskGroup(of: RoomSocket.self) { tasks in
                for index in batch {
                    tasks.addTask {
                        let credentials = try await client.register(
                            username: "bench\(tag)r\(index)", password: "bench-password", displayName: nil, deviceID: "bench")
                        return try await RoomSocket.connect(
                            group: group, host: server.host, port: server.port, token: credentials.token, room: room,
                            measuresLatency: index < viewers && index % max(1, latencyEvery) == 0)
                    }
                }
                var sockets: [RoomSocket] = []
                for try await socket in tasks { sockets.append(socket) }
                return sockets
            }
            sockets += connected
            next = batch.upperBound
            progress("room: \(next) of \(total) connected")
        }
        endProgress()
        // Which socket is a sender does not matter: take the last `senders`; the viewers measuring
        // latency were chosen by index, and the group may have reordered them, so re-split by flag.
        let measuring = sockets.filter(\.measuresLatency)
        let others = sockets.filter { !$0.measuresLatency }
        let senderSockets = Array(others.suffix(senders))
        return (measuring + others.dropLast(senders), senderSockets)
    }
}
