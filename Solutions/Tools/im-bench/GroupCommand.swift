// Scenario `group` (lesson 20): one large group, its members online on connections of their own,
// a few of them sending. Every message is stored once and pushed to every other online member.
// Reports ACKs and pushes per second, push latency (send → a member's device has it; its p99 over
// all pushes is close to "send → the last member"), whether every push arrived, and server CPU
// per push.

import ArgumentParser
import Foundation
import IMClient
import IMCore
import IMToolSupport
import NIOCore
import NIOPosix

struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "One large group: fan-out of each message to every online member.")

    @OptionGroup var target: TargetOptions
    @Option(help: "Members of the group.")
    var members = 1_000
    @Option(help: "Members online, each on a WebSocket of its own (the first ones; at most --members).")
    var online = 1_000
    @Option(help: "Online members that send.")
    var senders = 10
    @Option(help: "Messages per second to the group, in all.")
    var rate = 10
    @Option(help: "Seconds of measured traffic.")
    var duration = 10
    @Option(help: "Message body size in bytes.")
    var bodyBytes = 64
    @Option(help: "Event-loop threads of im-bench's own sockets.")
    var threads = 1

    struct Parameters: Codable {
        var members: Int
        var online: Int
        var senders: Int
        var targetRate: Int
        var durationSeconds: Int
        var bodyBytes: Int
    }

    struct Figures: Codable {
        var sent: Int
        var acked: Int
        var errors: Int
        var pushesDelivered: Int
        /// Acked messages × (online members − 1): every online member but the sender's connection.
        var pushesExpected: Int
        var pushesPerSecond: Double
        var ackLatency: LatencySummary
        var pushLatency: LatencySummary
        var serverRSSBytes: Int?
        var serverCPUSeconds: Double?
        var serverCPUMicrosecondsPerPush: Double?
        var benchCPUSeconds: Double?
    }

    func validate() throws {
        guard members >= 2, (1...members).contains(online), (1...online).contains(senders), rate >= 1, duration >= 1 else {
            throw ValidationError("need members ≥ 2, 1 ≤ online ≤ members, 1 ≤ senders ≤ online, rate ≥ 1, duration ≥ 1")
        }
    }

    func run() async throws {
        let limit = raiseFileLimit()
        let server = try await BenchTarget.make(target)
        defer { server.stop() }
        say(
            "im-bench group: \(members) members, \(online) online, \(senders) senders at \(rate) msg/s, \(duration) s, against \(server.baseURL)"
        )
        if online + 64 > limit { say("warning: \(online) sockets and an open-file limit of \(limit): connections may fail") }
        guard server.baseURL.hasPrefix("http://") else { throw BenchError("group drives http:// servers only") }

        // Members: registered over HTTP; the first one creates the group and adds the rest in batches.
        let client = IMHTTPClient(baseURL: server.baseURL)
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        var credentials: [Credentials] = []
        for index in 0..<members {
            credentials.append(
                try await client.register(
                    username: "bench\(tag)g\(index)", password: "bench-password", displayName: nil, deviceID: "bench"))
            if index % 500 == 499 { progress("group: \(index + 1) of \(members) members registered") }
        }
        endProgress()
        let owner = client.authenticated(credentials[0])
        let created = try await owner.raw("POST", "/api/v1/groups", body: Array(#"{"name":"bench"}"#.utf8))
        try created.check()
        guard case .object(let summary) = try JSONValue(json: created.body), case .integer(let group)? = summary["group"] else {
            throw BenchError("the group was not created: \(created.text)")
        }
        let others = credentials.dropFirst().map(\.user.id.rawValue)
        for start in stride(from: 0, to: others.count, by: 500) {
            let batch = others[start..<min(start + 500, others.count)].map(String.init).joined(separator: ",")
            let added = try await owner.raw(
                "POST", "/api/v1/groups/\(group)/members", body: Array(#"{"users":[\#(batch)]}"#.utf8))
            try added.check()
        }

        let loops = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        var sockets: [BenchSocket] = []
        for index in 0..<online {
            sockets.append(
                try await BenchSocket.connect(
                    group: loops, host: server.host, port: server.port, token: credentials[index].token,
                    user: credentials[index].user.id))
            if index % 1_000 == 999 { progress("group: \(index + 1) of \(online) members connected") }
        }
        endProgress()

        let body = String(repeating: "x", count: max(0, bodyBytes - 24))
        let interval = Int64(Double(senders) / Double(rate) * 1e9)
        let start = NIODeadline.now() + .milliseconds(50)
        let end = start + .seconds(Int64(duration))
        let cpuAtStart = (server: server.pid.flatMap { cpuSeconds(ofProcess: $0) }, bench: cpuSeconds(ofProcess: nil))
        for (index, socket) in sockets.enumerated() {
            // Everyone listens; the first `senders` also send, spread over one interval.
            let sends = index < senders
            socket.run(
                BenchPlan(
                    workload: .group(id: group, body: body), interval: interval, window: 1,
                    start: sends ? start + .nanoseconds(interval * Int64(index) / Int64(senders)) : end, end: sends ? end : start)
            )
        }
        let allSockets = sockets
        let reporter = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                var acked = 0
                for socket in allSockets.prefix(senders) { acked += await socket.answered() }
                let elapsed = Double((NIODeadline.now() - start).nanoseconds) / 1e9
                progress(String(format: "group: %.0f s, %d messages acked", elapsed, acked))
            }
        }
        // Sending stops at `end`; the last pushes then have two seconds to arrive.
        try await Task.sleep(for: .nanoseconds((end - NIODeadline.now()).nanoseconds) + .seconds(2))
        let cpuAtEnd = (server: server.pid.flatMap { cpuSeconds(ofProcess: $0) }, bench: cpuSeconds(ofProcess: nil))
        reporter.cancel()
        endProgress()

        var total = BenchSocketStats()
        for socket in sockets { total.add(await socket.finish()) }
        try await loops.shutdownGracefully()
        let elapsed = Double(duration)
        var figures = Figures(
            sent: total.sent, acked: total.answered, errors: total.errors, pushesDelivered: total.delivered,
            pushesExpected: total.answered * (online - 1), pushesPerSecond: Double(total.delivered) / elapsed,
            ackLatency: LatencySummary(total.answer), pushLatency: LatencySummary(total.delivery),
            serverRSSBytes: server.residentBytes)
        if let startCPU = cpuAtStart.server, let endCPU = cpuAtEnd.server {
            figures.serverCPUSeconds = endCPU - startCPU
            figures.serverCPUMicrosecondsPerPush =
                total.delivered > 0 ? (endCPU - startCPU) / Double(total.delivered) * 1_000_000 : nil
        }
        if let startCPU = cpuAtStart.bench, let endCPU = cpuAtEnd.bench { figures.benchCPUSeconds = endCPU - startCPU }
        say("acked     \(figures.acked) of \(figures.sent) messages sent, \(figures.errors) errors")
        say(
            String(
                format: "pushes    %d of %d expected (%.0f pushes/s)", figures.pushesDelivered, figures.pushesExpected,
                figures.pushesPerSecond))
        say("ACK latency   \(figures.ackLatency.line)")
        say("push latency  \(figures.pushLatency.line)")
        say("server RSS    \(megabytes(figures.serverRSSBytes))")
        if let cpu = figures.serverCPUSeconds, let bench = figures.benchCPUSeconds {
            let window = elapsed + 2
            say(
                String(
                    format: "CPU           server %.2f cores, %.1f µs per push; im-bench %.2f cores", cpu / window,
                    figures.serverCPUMicrosecondsPerPush ?? 0, bench / window))
        }
        try BenchResult(
            scenario: "group",
            parameters: Parameters(
                members: members, online: online, senders: senders, targetRate: rate, durationSeconds: duration,
                bodyBytes: bodyBytes),
            results: figures
        ).write(to: target.json)
    }
}
