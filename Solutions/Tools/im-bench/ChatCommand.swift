// Scenario `chat`: users in pairs send to each other over WebSocket; every message is stored and
// ACKed by the server. Reports delivered msg/s, ACK latency (send → ack: the message is durable)
// and delivery latency (send → the partner's device has the push), from HdrHistogram.

import ArgumentParser
import Foundation
import Histogram
import IMClient
import IMCore

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

        // Users and their sockets.
        let client = IMHTTPClient(baseURL: server.baseURL)
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        var lanes: [ChatLane] = []
        for index in 0..<(pairs * 2) {
            let credentials = try await client.register(
                username: "bench\(tag)p\(index)", password: "bench-password", displayName: nil, deviceID: "bench")
            let socket = try await IMWebSocketClient.connect(baseURL: server.baseURL, token: credentials.token)
            lanes.append(ChatLane(user: credentials.user.id, socket: socket))
        }
        for index in lanes.indices { await lanes[index].setPartner(lanes[index ^ 1].user) }
        let allLanes = lanes

        let body = String(repeating: "x", count: max(0, bodyBytes - 24))
        let perLaneInterval: Duration? = rate > 0 ? .seconds(Double(lanes.count) / Double(rate)) : nil
        let clock = ContinuousClock()
        let start = clock.now
        let end = start + .seconds(duration)
        let readers = lanes.map { lane in Task { await lane.readLoop(clock: clock) } }
        let cpuAtStart = (server: server.pid.flatMap { cpuSeconds(ofProcess: $0) }, bench: cpuSeconds(ofProcess: nil))
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
                for lane in allLanes { acked += await lane.ackedCount }
                let elapsed = seconds(clock.now - start)
                progress(String(format: "chat: %.0f s, %d acked, %.0f msg/s", elapsed, acked, Double(acked) / elapsed))
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for (index, lane) in lanes.enumerated() {
                // Spread the lanes' first sends over one interval: lanes that all fire at the
                // same instant would measure their own bursts, not the server.
                let offset = (perLaneInterval ?? .zero) * (Double(index) / Double(lanes.count))
                group.addTask {
                    await lane.sendLoop(
                        until: end, body: body, interval: perLaneInterval, offset: offset, window: window, clock: clock)
                }
            }
        }
        // Let the last ACKs and pushes arrive.
        try await Task.sleep(for: .milliseconds(500))
        let cpuAtEnd = (server: server.pid.flatMap { cpuSeconds(ofProcess: $0) }, bench: cpuSeconds(ofProcess: nil))
        reporter.cancel()
        walSampler.cancel()
        let walPeak = await walSampler.value
        endProgress()
        let elapsed = seconds(end - start)

        var ack = Histogram<UInt64>(highestTrackableValue: 120_000_000)
        var delivery = Histogram<UInt64>(highestTrackableValue: 120_000_000)
        var sent = 0
        var acked = 0
        var delivered = 0
        var errors = 0
        for lane in lanes {
            let stats = await lane.stats()
            ack.add(stats.ack)
            delivery.add(stats.delivery)
            sent += stats.sent
            acked += stats.acked
            delivered += stats.delivered
            errors += stats.errors
            lane.close()
        }
        for reader in readers { reader.cancel() }
        var figures = Figures(
            sent: sent, acked: acked, delivered: delivered, errors: errors, ackedPerSecond: Double(acked) / elapsed,
            deliveredPerSecond: Double(delivered) / elapsed, ackLatency: LatencySummary(ack),
            deliveryLatency: LatencySummary(delivery), serverRSSBytes: server.residentBytes, serverWALPeakBytes: walPeak)
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

/// One user's connection: sends to its partner, reads ACKs and pushes, keeps its histograms.
actor ChatLane {
    let user: UserID
    nonisolated let socket: IMWebSocketClient
    private var partner = UserID(0)
    private var inFlight: [String: ContinuousClock.Instant] = [:]
    private var nextRequest = 0
    private var ack = Histogram<UInt64>(highestTrackableValue: 120_000_000)
    private var delivery = Histogram<UInt64>(highestTrackableValue: 120_000_000)
    private var sent = 0
    private(set) var ackedCount = 0
    private var delivered = 0
    private var errors = 0
    private var slotWaiter: CheckedContinuation<Void, Never>?

    init(user: UserID, socket: IMWebSocketClient) {
        self.user = user
        self.socket = socket
    }

    func setPartner(_ partner: UserID) { self.partner = partner }

    func sendLoop(
        until end: ContinuousClock.Instant, body: String, interval: Duration?, offset: Duration, window: Int,
        clock: ContinuousClock
    ) async {
        var next = clock.now + offset
        while clock.now < end {
            if let interval {
                next += interval
                if next > clock.now { try? await Task.sleep(until: next) }
            } else {
                while inFlight.count >= window { await waitForSlot() }
            }
            send(body: body, clock: clock)
        }
    }

    private func send(body: String, clock: ContinuousClock) {
        nextRequest += 1
        let requestID = String(nextRequest)
        let now = clock.now
        inFlight[requestID] = now
        sent += 1
        // The send time travels in the body, so the partner can measure delivery latency.
        let stamp = (now - ChatLane.processOrigin).components
        let micros = stamp.seconds * 1_000_000 + stamp.attoseconds / 1_000_000_000_000
        socket.send(
            .send(
                id: requestID,
                SendRequest(to: partner, body: "\(micros) \(body)", clientMsgID: "\(user.rawValue)-\(requestID)")))
    }

    private func waitForSlot() async {
        await withCheckedContinuation { slotWaiter = $0 }
    }

    func readLoop(clock: ContinuousClock) async {
        while !Task.isCancelled {
            guard let frame = try? await socket.next(timeout: .seconds(3600)) else { return }
            handle(frame, now: clock.now)
        }
    }

    /// One origin for every lane of the process: the receiver compares the sender's stamp
    /// (microseconds since this origin) with its own clock.
    static let processOrigin = ContinuousClock.now

    private func handle(_ frame: ServerFrame, now: ContinuousClock.Instant) {
        switch frame {
        case .ack(let ref?, _):
            guard let sentAt = inFlight.removeValue(forKey: ref) else { return }
            ackedCount += 1
            _ = ack.record(UInt64(max(0, seconds(now - sentAt) * 1_000_000)))
            slotWaiter?.resume()
            slotWaiter = nil
        case .error(let ref, _):
            errors += 1
            if let ref { inFlight[ref] = nil }
            slotWaiter?.resume()
            slotWaiter = nil
        case .push(_, let entry):
            guard let message = entry.message, message.to == user, message.from != user else { return }
            delivered += 1
            if let stamp = Int64(message.body.prefix { $0 != " " }) {
                let nowMicros = seconds(now - ChatLane.processOrigin) * 1_000_000
                _ = delivery.record(UInt64(max(0, nowMicros - Double(stamp))))
            }
        default:
            break
        }
    }

    func stats() -> (ack: Histogram<UInt64>, delivery: Histogram<UInt64>, sent: Int, acked: Int, delivered: Int, errors: Int) {
        (ack, delivery, sent, ackedCount, delivered, errors)
    }

    nonisolated func close() { socket.close() }
}
