// Scenario `saturate`: a flood of idle sockets against a server with a low open-file limit.
//
// The server is started with its limit lowered (`ulimit -n`), and twice that many sockets are
// opened to it that never send a byte. While they are held, a fresh connection asks `/health`
// every quarter second and must be answered within two seconds; then the sockets are closed and
// two users must register, log in and exchange a message. The server must not crash or exit at
// any point. This is a pass/fail check rather than a measurement: run it with `--runs 20`.

import ArgumentParser
import Foundation
import IMClient
import IMCore
import IMToolSupport
import NIOCore
import NIOPosix

struct SaturateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saturate",
        abstract: "Flood an im-server that has a low open-file limit with idle sockets; /health must answer throughout.")

    @Option(help: "The im-server executable to start (a fresh one, with a fresh data folder, for each run).")
    var serverBinary = ".build/debug/im-server"
    @Option(help: "The server's open-file limit.")
    var fileLimit = 256
    @Option(help: "Idle sockets to open (default: twice --file-limit).")
    var sockets: Int?
    @Option(help: "Seconds to hold the sockets open while /health is probed.")
    var hold = 3
    @Option(help: "Runs in a row; the first failure ends them.")
    var runs = 1
    @Option(
        parsing: .unconditionalSingleValue,
        help: "An extra im-server argument (repeat it), e.g. --server-argument=--max-connections=100000.")
    var serverArgument: [String] = []
    @Flag(help: "Do not fail a run whose /health probes failed during the flood (to study a server without caps).")
    var tolerateHealthFailures = false
    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    struct Parameters: Codable {
        var fileLimit: Int
        var sockets: Int
        var hold: Int
        var runs: Int
        var serverArguments: [String]
    }

    struct Figures: Codable {
        var runs: [RunFigures]
        var passed: Int
    }

    struct RunFigures: Codable {
        var opened = 0
        var notConnected = 0
        var closedByServer = 0
        var healthProbes = 0
        var healthAnswered = 0
        var slowestHealthMilliseconds = 0.0
        var serverCPUSecondsWhileFlooded: Double?
        var recovered = false
        var crashed = false
        var failure: String?
    }

    func validate() throws {
        guard fileLimit >= 32 else { throw ValidationError("--file-limit must be at least 32") }
        guard runs >= 1, hold >= 1 else { throw ValidationError("--runs and --hold must be at least 1") }
    }

    func run() async throws {
        let sockets = sockets ?? 2 * fileLimit
        let ownLimit = raiseFileLimit()
        guard sockets + 64 <= ownLimit else {
            throw BenchError("im-bench itself may open only \(ownLimit) files: lower --sockets or raise ulimit -n")
        }
        guard FileManager.default.isExecutableFile(atPath: serverBinary) else {
            throw BenchError("no im-server at \(serverBinary); build it (swift build --product im-server)")
        }
        say("im-bench saturate: \(runs) run(s); server file limit \(fileLimit), \(sockets) idle sockets held \(hold) s")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var results: [RunFigures] = []
        for index in 1...runs {
            let figures = try await runOnce(sockets: sockets, group: group)
            results.append(figures)
            say(Self.line(index, figures))
            if figures.failure != nil { break }
        }
        try await group.shutdownGracefully()
        let passed = results.filter { $0.failure == nil }.count
        say("saturate: \(passed) of \(runs) runs passed")
        try BenchResult(
            scenario: "saturate",
            parameters: Parameters(
                fileLimit: fileLimit, sockets: sockets, hold: hold, runs: runs, serverArguments: serverArgument),
            results: Figures(runs: results, passed: passed)
        ).write(to: json)
        if passed < runs { throw ExitCode.failure }
    }

    private static func line(_ index: Int, _ figures: RunFigures) -> String {
        let cpu = figures.serverCPUSecondsWhileFlooded.map { String(format: "%.2f s", $0) } ?? "unknown"
        return "run \(index): \(figures.opened) opened (\(figures.notConnected) not connected), "
            + "\(figures.closedByServer) closed by the server; /health \(figures.healthAnswered)/\(figures.healthProbes), "
            + String(format: "slowest %.0f ms", figures.slowestHealthMilliseconds)
            + "; server CPU while flooded \(cpu); recovered: \(figures.recovered ? "yes" : "no")"
            + (figures.failure.map { " — FAIL: \($0)" } ?? "")
    }

    private func runOnce(sockets: Int, group: MultiThreadedEventLoopGroup) async throws -> RunFigures {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("im-saturate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let server = try ServerProcess(
            executable: serverBinary, dataDirectory: data, arguments: ["--no-sync"] + serverArgument, fileLimit: fileLimit)
        try await server.start()
        var figures = RunFigures()
        defer { try? FileManager.default.removeItem(atPath: data) }

        let port = server.port
        let held = ChannelBox()
        let cpuBefore = server.pid.flatMap { cpuSeconds(ofProcess: $0) }
        let probing = Task { await Self.probeHealth(port: port, group: group) }
        let (opened, notConnected) = await Self.openIdle(count: sockets, port: port, group: group, into: held)
        figures.opened = opened
        figures.notConnected = notConnected
        try await Task.sleep(for: .seconds(hold))
        probing.cancel()
        let probes = await probing.value
        figures.serverCPUSecondsWhileFlooded = server.pid.flatMap { pid in
            cpuSeconds(ofProcess: pid).flatMap { after in cpuBefore.map { after - $0 } }
        }
        figures.healthProbes = probes.count
        figures.healthAnswered = probes.compactMap { $0 }.count
        figures.slowestHealthMilliseconds = probes.compactMap { $0 }.map { seconds($0) * 1000 }.max() ?? 0
        figures.closedByServer = held.closedCount
        await held.closeAll()

        if server.exitedOnItsOwn {
            figures.crashed = true
            figures.failure = "the server died while flooded:\n\(server.crashReport())"
            return figures
        }
        if figures.healthAnswered < figures.healthProbes, !tolerateHealthFailures {
            figures.failure = "/health went unanswered \(figures.healthProbes - figures.healthAnswered) time(s)"
        }
        do {
            try await Self.loginAndSend(baseURL: server.baseURL)
            figures.recovered = true
        } catch {
            figures.failure = figures.failure ?? "after the flood, login and send failed: \(error)"
        }
        if server.exitedOnItsOwn {
            figures.crashed = true
            figures.failure = "the server died after the flood:\n\(server.crashReport())"
        } else if !server.stop() {
            figures.failure = figures.failure ?? "the server did not stop gracefully"
        }
        return figures
    }

    /// Opens `count` TCP connections that send nothing, 64 at a time; a connect that is refused
    /// or not accepted within 3 s counts as not connected.
    private static func openIdle(count: Int, port: Int, group: MultiThreadedEventLoopGroup, into held: ChannelBox) async
        -> (opened: Int, notConnected: Int)
    {
        await withTaskGroup(of: Bool.self) { tasks in
            var next = 0
            var opened = 0
            var notConnected = 0
            func add() {
                next += 1
                tasks.addTask {
                    let channel = try? await ClientBootstrap(group: group)
                        .connectTimeout(.seconds(3))
                        .connect(host: "127.0.0.1", port: port).get()
                    guard let channel else { return false }
                    held.append(channel)
                    return true
                }
            }
            for _ in 0..<min(64, count) { add() }
            while let connected = await tasks.next() {
                if connected { opened += 1 } else { notConnected += 1 }
                if next < count { add() }
            }
            return (opened, notConnected)
        }
    }

    /// Asks `/health` on a fresh connection every 250 ms until cancelled; each answer's time,
    /// nil for a probe not answered 200 within 2 s.
    private static func probeHealth(port: Int, group: MultiThreadedEventLoopGroup) async -> [Duration?] {
        var results: [Duration?] = []
        while !Task.isCancelled {
            let started = ContinuousClock.now
            let answer = await plainGet("/health", port: port, group: group, timeout: .seconds(2))
            results.append(answer?.hasPrefix("HTTP/1.1 200") == true ? ContinuousClock.now - started : nil)
            try? await Task.sleep(for: .milliseconds(250))
        }
        return results
    }

    /// One request on a fresh connection (`Connection: close`): the whole answer, or nil.
    private static func plainGet(_ path: String, port: Int, group: MultiThreadedEventLoopGroup, timeout: TimeAmount)
        async -> String?
    {
        let loop = group.next()
        let answer = loop.makePromise(of: String?.self)
        let collector = AnswerCollector(answer: answer)
        let channel = try? await ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in channel.pipeline.addHandler(collector) }
            .connect(host: "127.0.0.1", port: port).get()
        guard let channel else {
            loop.execute { collector.finish(nil) }
            _ = try? await answer.futureResult.get()
            return nil
        }
        let timer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        channel.writeAndFlush(
            ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), promise: nil)
        let text = try? await answer.futureResult.get()
        timer.cancel()
        return text ?? nil
    }

    /// Two new users; one sends the other a message over the HTTP API.
    private static func loginAndSend(baseURL: String) async throws {
        let client = IMHTTPClient(baseURL: baseURL)
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        _ = try await client.register(username: "sat\(tag)a", password: "saturate-password")
        let bob = try await client.register(username: "sat\(tag)b", password: "saturate-password")
        let alice = client.authenticated(try await client.login(username: "sat\(tag)a", password: "saturate-password"))
        let sent = try await alice.send(to: bob.user.id, body: "still here")
        guard sent.body == "still here" else { throw BenchError("the message came back as \(sent.body)") }
    }
}

/// Collects an answer until the server closes the connection. Used on one event loop.
final class AnswerCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private let answer: EventLoopPromise<String?>
    private var text = ""
    private var done = false

    init(answer: EventLoopPromise<String?>) { self.answer = answer }

    /// Completes the answer once (a connection that never opened ends with nil).
    func finish(_ result: String?) {
        guard !done else { return }
        done = true
        answer.succeed(result)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        text += buffer.readString(length: buffer.readableBytes) ?? ""
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(text)
    }
}
