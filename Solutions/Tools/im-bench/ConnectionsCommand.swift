// Scenario `connections`: many idle WebSockets; what each costs the server in memory.
//
// The client side is deliberately thin (a raw NIO channel that sends the upgrade request and
// then only reads), so that it can hold many sockets; the figure that matters is the server's
// resident memory before and after, divided by the number of connections. Connections come
// from several loopback source addresses (127.0.0.x), because one source address has only
// about 28,000 ephemeral ports towards one server port.

import ArgumentParser
import Foundation
import IMClient
import IMCore
import NIOCore
import NIOPosix

struct ConnectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connections", abstract: "Open N idle WebSockets; report the server's memory per connection.")

    @OptionGroup var target: TargetOptions
    @Option(help: "How many WebSockets to open.")
    var count = 1_000
    @Option(help: "Connections opened at once.")
    var parallel = 64
    @Option(help: "Loopback source addresses to spread connections over (127.0.0.1, .2, …).")
    var sourceAddresses = 4
    @Option(help: "Seconds to hold the connections open before measuring.")
    var hold = 2

    struct Parameters: Codable {
        var count: Int
        var sourceAddresses: Int
        var fileLimit: Int
    }

    struct Figures: Codable {
        var opened: Int
        var failed: Int
        var serverRSSBeforeBytes: Int?
        var serverRSSAfterBytes: Int?
        var bytesPerConnection: Int?
        var connectSeconds: Double
    }

    func run() async throws {
        let fileLimit = raiseFileLimit()
        if count + 100 > fileLimit {
            say("note: the open-file limit here is \(fileLimit); more than about \(fileLimit - 100) connections will fail")
        }
        let server = try await BenchTarget.make(target)
        defer { server.stop() }
        say(
            "im-bench connections: \(count) idle WebSockets to \(server.baseURL) (server pid \(server.pid.map(String.init) ?? "unknown"))"
        )

        let tokens = try await Self.sessions(count: count, server: server)
        let sourceAddresses = sourceAddresses
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let before = server.residentBytes
        let started = ContinuousClock.now
        let opener = RawWebSocketOpener(group: group, port: server.port)
        let channels = ChannelBox()
        var failed = 0
        var opened = 0
        try await withThrowingTaskGroup(of: (any Channel)?.self) { tasks in
            var next = 0
            func add() {
                let index = next
                next += 1
                let source = "127.0.0.\(1 + index % max(1, sourceAddresses))"
                tasks.addTask { try? await opener.open(token: tokens[index], source: source) }
            }
            for _ in 0..<min(parallel, count) { add() }
            while let channel = try await tasks.next() {
                if let channel {
                    channels.append(channel)
                    opened += 1
                } else {
                    failed += 1
                }
                if (opened + failed) % 500 == 0 { progress("connections: \(opened) open, \(failed) failed of \(count)") }
                if next < count { add() }
            }
        }
        endProgress()
        let connectTime = ContinuousClock.now - started
        try await Task.sleep(for: .seconds(hold))
        let after = server.residentBytes
        let perConnection = before.flatMap { b in after.map { a in opened > 0 ? (a - b) / opened : 0 } }

        say("opened \(opened), failed \(failed), in \(String(format: "%.1f", seconds(connectTime))) s")
        say("server RSS \(megabytes(before)) before, \(megabytes(after)) with the connections open")
        say("≈ \(perConnection.map { "\($0 / 1024) KiB (\($0) bytes)" } ?? "unknown") per idle WebSocket")
        let result = BenchResult(
            scenario: "connections",
            parameters: Parameters(count: count, sourceAddresses: sourceAddresses, fileLimit: fileLimit),
            results: Figures(
                opened: opened, failed: failed, serverRSSBeforeBytes: before, serverRSSAfterBytes: after,
                bytesPerConnection: perConnection, connectSeconds: seconds(connectTime)))
        try result.write(to: target.json)
        await channels.closeAll()
        try await group.shutdownGracefully()
    }

    /// One session (user + device) per connection: a device has one live connection at a time.
    static func sessions(count: Int, server: BenchTarget) async throws -> [String] {
        let client = IMHTTPClient(baseURL: server.baseURL)
        let password = "bench-password"
        let usersNeeded = max(1, (count + 999) / 1000)
        var names: [String] = []
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        for index in 0..<usersNeeded {
            let name = "bench\(tag)c\(index)"
            _ = try await client.register(username: name, password: password, displayName: nil, deviceID: "d0")
            names.append(name)
        }
        let userNames = names
        var tokens = [String](repeating: "", count: count)
        try await withThrowingTaskGroup(of: (Int, String).self) { tasks in
            var next = 0
            func add() {
                let index = next
                next += 1
                tasks.addTask {
                    let credentials = try await client.login(
                        username: userNames[index / 1000], password: password, deviceID: "c\(index)")
                    return (index, credentials.token)
                }
            }
            for _ in 0..<min(32, count) { add() }
            while let (index, token) = try await tasks.next() {
                tokens[index] = token
                if (index + 1) % 1000 == 0 { progress("sessions: \(index + 1) of \(count)") }
                if next < count { add() }
            }
        }
        endProgress()
        return tokens
    }
}

/// Channels kept open until the end of the run.
final class ChannelBox: @unchecked Sendable {
    private let lock = NSLock()
    private var channels: [any Channel] = []
    func append(_ channel: any Channel) { lock.withLock { channels.append(channel) } }
    /// How many of the channels have been closed (by the other side: this box closes them last).
    var closedCount: Int { lock.withLock { channels.filter { !$0.isActive }.count } }
    func closeAll() async {
        let all = lock.withLock { channels }
        for channel in all { try? await channel.close() }
    }
}

/// Opens a WebSocket by hand: TCP from a chosen source address, the upgrade request, wait for hello.
struct RawWebSocketOpener: Sendable {
    let group: MultiThreadedEventLoopGroup
    let port: Int

    func open(token: String, source: String) async throws -> any Channel {
        let ready = group.next().makePromise(of: Void.self)
        let channel = try await ClientBootstrap(group: group)
            .bind(to: try SocketAddress(ipAddress: source, port: 0))
            .channelInitializer { channel in
                channel.pipeline.addHandler(UpgradeWaiter(ready: ready))
            }
            .connect(host: "127.0.0.1", port: port).get()
        let request =
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Authorization: Bearer \(token)\r\n\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: request))
        try await ready.futureResult.get()
        return channel
    }
}

/// Reads until the server's `hello` frame has arrived, then keeps reading (and dropping) bytes.
final class UpgradeWaiter: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private let ready: EventLoopPromise<Void>
    private var seen = ""
    private var done = false

    init(ready: EventLoopPromise<Void>) { self.ready = ready }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        var buffer = unwrapInboundIn(data)
        seen += buffer.readString(length: buffer.readableBytes) ?? ""
        if seen.contains("\"hello\"") {
            done = true
            seen = ""
            ready.succeed()
        } else if seen.hasPrefix("HTTP/1.1 4") || seen.hasPrefix("HTTP/1.1 5") {
            done = true
            ready.fail(BenchError("upgrade refused: \(seen.prefix(40))"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done { ready.fail(BenchError("closed before hello")) }
        done = true
    }
}
