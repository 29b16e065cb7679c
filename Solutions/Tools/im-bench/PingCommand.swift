// Scenario `ping`: the access layer alone — WebSocket frames, JSON and the request queue, no storage.
//
// Each connection keeps `--window` pings in flight; the server answers each with a pong. Set
// beside `chat` (everything) and `store` (storage alone), it tells how much of a message's cost
// is the gateway's.

import ArgumentParser
import Foundation
import IMClient
import IMCore
import IMToolSupport
import NIOCore
import NIOPosix

struct PingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping", abstract: "Ping/pong round trips over WebSockets, flat out: the gateway without storage.")

    @OptionGroup var target: TargetOptions
    @Option(help: "WebSocket connections (one user each).")
    var connections = 100
    @Option(help: "Pings in flight per connection.")
    var window = 16
    @Option(help: "Seconds of measured traffic.")
    var duration = 10
    @Option(help: "Event-loop threads of im-bench's own sockets.")
    var threads = 1

    struct Parameters: Codable {
        var connections: Int
        var window: Int
        var durationSeconds: Int
    }

    struct Figures: Codable {
        var answered: Int
        var answeredPerSecond: Double
        var latency: LatencySummary
        var serverCPUSeconds: Double?
        var serverCPUMicrosecondsPerRequest: Double?
        var benchCPUSeconds: Double?
    }

    func run() async throws {
        _ = raiseFileLimit()
        let server = try await BenchTarget.make(target)
        defer { server.stop() }
        say("im-bench ping: \(connections) connections, window \(window), \(duration) s, against \(server.baseURL)")
        guard server.baseURL.hasPrefix("http://") else { throw BenchError("ping drives http:// servers only") }
        // The same event-loop client as `chat` (see BenchSocket), so the figures of the two compare.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let client = IMHTTPClient(baseURL: server.baseURL)
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        var sockets: [BenchSocket] = []
        for index in 0..<connections {
            let credentials = try await client.register(
                username: "ping\(tag)u\(index)", password: "bench-password", displayName: nil, deviceID: "bench")
            sockets.append(
                try await BenchSocket.connect(
                    group: group, host: server.host, port: server.port, token: credentials.token, user: credentials.user.id))
        }
        let start = NIODeadline.now() + .milliseconds(20)
        let end = start + .seconds(Int64(duration))
        let cpuAtStart = (server: server.pid.flatMap { cpuSeconds(ofProcess: $0) }, bench: cpuSeconds(ofProcess: nil))
        for socket in sockets {
            socket.run(BenchPlan(workload: .ping, interval: nil, window: window, start: start, end: end))
        }
        // Sending stops at `end`; the last pongs have half a second to arrive.
        try await Task.sleep(for: .nanoseconds((end - NIODeadline.now()).nanoseconds) + .milliseconds(500))
        let cpuAtEnd = (server: server.pid.flatMap { cpuSeconds(ofProcess: $0) }, bench: cpuSeconds(ofProcess: nil))
        var total = BenchSocketStats()
        for socket in sockets { total.add(await socket.finish()) }
        try await group.shutdownGracefully()

        let elapsed = Double(duration)
        var figures = Figures(
            answered: total.answered, answeredPerSecond: Double(total.answered) / elapsed,
            latency: LatencySummary(total.answer))
        if let startCPU = cpuAtStart.server, let endCPU = cpuAtEnd.server {
            figures.serverCPUSeconds = endCPU - startCPU
            figures.serverCPUMicrosecondsPerRequest =
                total.answered > 0 ? (endCPU - startCPU) / Double(total.answered) * 1e6 : nil
        }
        if let startCPU = cpuAtStart.bench, let endCPU = cpuAtEnd.bench { figures.benchCPUSeconds = endCPU - startCPU }
        say(String(format: "answered  %8.0f pings/s  (%d, %d errors)", figures.answeredPerSecond, total.answered, total.errors))
        say("latency           \(figures.latency.line)")
        if let server = figures.serverCPUSeconds, let bench = figures.benchCPUSeconds {
            let window = elapsed + 0.5
            say(
                String(
                    format: "CPU               server %.2f cores, %.0f µs per ping; im-bench %.2f cores", server / window,
                    figures.serverCPUMicrosecondsPerRequest ?? 0, bench / window))
        }
        try BenchResult(
            scenario: "ping",
            parameters: Parameters(connections: connections, window: window, durationSeconds: duration),
            results: figures
        ).write(to: target.json)
    }
}
