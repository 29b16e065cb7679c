// Scenario `chat`: users in pairs send to each other over WebSocket; every message is stored and
// ACKed by the server. Reports delivered msg/s, ACK latency (send → ack: the message is durable)
// and delivery latency (send → the partner's device has the push), from HdrHistogram.

import ArgumentParser
import Foundation
import IMClient
import IMCore
import IMToolSupport
import NIOCore
import NIOPosix

struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat", abstract: "1:1 chat between pairs of users: throughput and latency.")

    @OptionGroup var target: TargetOptions
    @Option(help: "Pairs of users chatting (each user sends to its partner).")
    var pairs = 10
    @Option(help: "Seconds of measured traffic.")
    var duration = 10
    @Option(help: "Target messages per second in all; 0 sends flat out (each user keeps --window messages in flight).")
    var rate = 0
    @Option(help: "Messages in flight per user when sending flat out.")
    var window = 8
    @Option(help: "Message body size in bytes.")
    var bodyBytes = 64
    @Option(help: "Event-loop threads of im-bench's own sockets.")
    var threads = 1

    struct Parameters: Codable {
        var pairs: Int
        var durationSeconds: Int
        var targetRate: Int
        var window: Int
        var bodyBytes: Int
        var serverSyncsEveryCommit: Bool
    }

    struct Figures: Codable {
        var sent: Int
        var acked: Int
        var delivered: Int
        var errors: Int
        var ackedPerSecond: Double
        var deliveredPerSecond: Double
        var ackLatency: LatencySummary
        var deliveryLatency: LatencySummary
        var serverRSSBytes: Int?
        /// The largest the server's WAL file (`im.sqlite-wal`) was during the run, sampled every
        /// 100 ms: the checkpoints keep it bounded (nil when the data folder is not known).
        var serverWALPeakBytes: Int?
        /// CPU time the server and im-bench used while messages were sent (nil when the server's
        /// pid is unknown). Per acked message, it is the server's cost whatever shares the cores.
        var serverCPUSeconds: Double?
        var serverCPUMicrosecondsPerMessage: Double?
        var benchCPUSeconds: Double?
    }

    func run() async throws {
        _ = raiseFileLimit()
        let server = try await BenchTarget.make(target)
        defer { server.stop() }
        let mode = rate > 0 ? "at \(rate) msg/s" : "flat out, window \(window)"
        say("im-bench chat: \(pairs) pairs, \(mode), \(duration) s, against \(server.baseURL)")

        // Users and their sockets. The sockets live on event loops of im-bench's own (see BenchSocket).
        guard server.baseURL.hasPrefix("http://") else { throw BenchError("chat drives http:// servers only") }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let client = IMHTTPClient(baseURL: server.baseURL)
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        var sockets: [BenchSocket] = []
        for index in 0..<(pairs * 2) {
            let credentials = try await client.register(
                username: "bench\(tag)p\(index)", password: "bench-password", displayName: nil, deviceID: "bench")
            sockets.append(
                try await BenchSocket.connect(
                    group: group, host: server.host, port: server.port, token: credentials.token, user: credentials.user.id))
        }
        let allSockets = sockets

        let body = String(repeating: "x", count: max(0, bodyBytes - 24))
        let interval: Int64? = rate > 0 ? Int64(Double(sockets.count) / Double(rate) * 1e9) : nil
        let start = NIODeadline.now() + .milliseconds(20)
        let end = start + .seconds(Int64(duration))
        let cpuAtStart = (server: server.pid.flatMap { cpuSeconds(ofProcess: $0) }, bench: cpuSeconds(ofProcess: nil))
        for (index, socket) in sockets.enumerated() {
            // Spread the sockets' first sends over one interval: sockets that all fire at the
            // same instant would measure their own bursts, not the server.
            let offset = (interval ?? 0) * Int64(index) / Int64(sockets.count)
            socket.run(
                BenchPlan(
                    workload: .chat(partner: sockets[index ^ 1].user, body: body), interval: interval, window: window,
                    start: start + .nanoseconds(offset), end: end))
        }
        let walPath = server.dataDirectory.map { $0 + "/im.sqlite-wal" }
        let walSampler = Task { () -> Int? in
            guard let walPath else { return nil }
            var peak = 0
            while !Task.isCancelled {
                peak = max(peak, fileSize(atPath: walPath))
                try? await Task.sleep(for: .milliseconds(100))
            }
            return peak
        }
        let reporter = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                var acked = 0
                for socket in allSockets { acked += await socket.answered() }
                let elapsed = Double((NIODeadline.now() - start).nanoseconds) / 1e9
                progress(String(format: "chat: %.0f s, %d acked, %.0f msg/s", elapsed, acked, Double(acked) / elapsed))
            }
        }
        // Sending stops at `end`; then the last ACKs and pushes have half a second to arrive.
        try await Task.sleep(for: .nanoseconds((end - NIODeadline.now()).nanoseconds) + .milliseconds(500))
        let cpuAtEnd = (server: server.pid.flatMap { cpuSeconds(ofProcess: $0) }, bench: cpuSeconds(ofProcess: nil))
        reporter.cancel()
        walSampler.cancel()
        let walPeak = await walSampler.value
        endProgress()
        let elapsed = Double(duration)

        var total = BenchSocketStats()
        for socket in sockets { total.add(await socket.finish()) }
        let (sent, acked, delivered, errors) = (total.sent, total.answered, total.delivered, total.errors)
        try await group.shutdownGracefully()
        var figures = Figures(
            sent: sent, acked: acked, delivered: delivered, errors: errors, ackedPerSecond: Double(acked) / elapsed,
            deliveredPerSecond: Double(delivered) / elapsed, ackLatency: LatencySummary(total.answer),
            deliveryLatency: LatencySummary(total.delivery), serverRSSBytes: server.residentBytes, serverWALPeakBytes: walPeak)
        if let startCPU = cpuAtStart.server, let endCPU = cpuAtEnd.server {
            figures.serverCPUSeconds = endCPU - startCPU
            figures.serverCPUMicrosecondsPerMessage = acked > 0 ? (endCPU - startCPU) / Double(acked) * 1_000_000 : nil
        }
        if let startCPU = cpuAtStart.bench, let endCPU = cpuAtEnd.bench { figures.benchCPUSeconds = endCPU - startCPU }
        say(String(format: "acked     %8.0f msg/s  (%d of %d sent, %d errors)", figures.ackedPerSecond, acked, sent, errors))
        say(String(format: "delivered %8.0f msg/s  (%d pushes to the partner)", figures.deliveredPerSecond, delivered))
        say("ACK latency       \(figures.ackLatency.line)")
        say("delivery latency  \(figures.deliveryLatency.line)")
        say("server RSS        \(megabytes(figures.serverRSSBytes))")
        if let walPeak { say("server WAL        peak \(megabytes(walPeak)) (im.sqlite-wal, sampled every 100 ms)") }
        if let server = figures.serverCPUSeconds, let bench = figures.benchCPUSeconds {
            // The window includes the half second of draining after the last send.
            let window = elapsed + 0.5
            say(
                String(
                    format: "CPU               server %.2f cores, %.0f µs per acked message; im-bench %.2f cores",
                    server / window, figures.serverCPUMicrosecondsPerMessage ?? 0, bench / window))
        }
        try BenchResult(
            scenario: "chat",
            parameters: Parameters(
                pairs: pairs, durationSeconds: duration, targetRate: rate, window: window, bodyBytes: bodyBytes,
                serverSyncsEveryCommit: target.syncEveryCommit),
            results: figures
        ).write(to: target.json)
    }
}
