// Scenario `ping`: the access layer alone — WebSocket frames, JSON and the request queue, no storage.
//
// Each connection keeps `--window` pings in flight; the server answers each with a pong. Set
// beside `chat` (everything) and `store` (storage alone), it tells how much of a message's cost
// is the gateway's.

import ArgumentParser
import Foundation
import Histogram
import IMClient
import IMCore

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
    }

    func run() async throws {
        _ = raiseFileLimit()
        let server = try await BenchTarget.make(target)
        defer { server.stop() }
        say("im-bench ping: \(connections) connections, window \(window), \(duration) s, against \(server.baseURL)")
        let client = IMHTTPClient(baseURL: server.baseURL)
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        var lanes: [PingLane] = []
        for index in 0..<connections {
            let credentials = try await client.register(
                username: "ping\(tag)u\(index)", password: "bench-password", displayName: nil, deviceID: "bench")
            lanes.append(PingLane(socket: try await IMWebSocketClient.connect(baseURL: server.baseURL, token: credentials.token)))
        }
        let clock = ContinuousClock()
        let start = clock.now
        let cpuAtStart = server.pid.flatMap { cpuSeconds(ofProcess: $0) }
        await withTaskGroup(of: Void.self) { group in
            for lane in lanes {
                group.addTask { await lane.run(until: start + .seconds(duration), window: window, clock: clock) }
            }
        }
        let cpuAtEnd = server.pid.flatMap { cpuSeconds(ofProcess: $0) }
        let elapsed = seconds(clock.now - start)
        var latency = Histogram<UInt64>(highestTrackableValue: 120_000_000)
        var answered = 0
        for lane in lanes {
            let stats = await lane.stats()
            latency.add(stats.latency)
            answered += stats.answered
            lane.socket.close()
        }
        var figures = Figures(
            answered: answered, answeredPerSecond: Double(answered) / elapsed, latency: LatencySummary(latency))
        if let cpuAtStart, let cpuAtEnd {
            figures.serverCPUSeconds = cpuAtEnd - cpuAtStart
            figures.serverCPUMicrosecondsPerRequest = answered > 0 ? (cpuAtEnd - cpuAtStart) / Double(answered) * 1e6 : nil
        }
        say(String(format: "answered  %8.0f pings/s  (%d)", figures.answeredPerSecond, answered))
        say("latency           \(figures.latency.line)")
        if let cpu = figures.serverCPUSeconds {
            say(
                String(
                    format: "CPU               server %.2f cores, %.0f µs per ping", cpu / elapsed,
                    figures.serverCPUMicrosecondsPerRequest ?? 0))
        }
        try BenchResult(
            scenario: "ping",
            parameters: Parameters(connections: connections, window: window, durationSeconds: duration),
            results: figures
        ).write(to: target.json)
    }
}

/// One connection that keeps a window of pings in flight.
actor PingLane {
    nonisolated let socket: IMWebSocketClient
    private var sentAt: [String: ContinuousClock.Instant] = [:]
    private var latency = Histogram<UInt64>(highestTrackableValue: 120_000_000)
    private var answered = 0
    private var next = 0

    init(socket: IMWebSocketClient) {
        self.socket = socket
    }

    func run(until end: ContinuousClock.Instant, window: Int, clock: ContinuousClock) async {
        for _ in 0..<window { send(clock: clock) }
        while clock.now < end, let frame = try? await socket.next(timeout: .seconds(30)) {
            guard case .pong(let ref?) = frame, let sent = sentAt.removeValue(forKey: ref) else { continue }
            answered += 1
            _ = latency.record(UInt64(max(0, seconds(clock.now - sent) * 1_000_000)))
            send(clock: clock)
        }
    }

    private func send(clock: ContinuousClock) {
        next += 1
        sentAt[String(next)] = clock.now
        socket.send(.ping(id: String(next)))
    }

    func stats() -> (latency: Histogram<UInt64>, answered: Int) { (latency, answered) }
}
