// Lesson 06 test helpers: small real HTTP listeners that play gateway nodes, and raw TCP.

import Foundation
import Hummingbird
import IMClient
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A Hummingbird server on a free loopback port whose `/health` answers after `delay`.
final class TestListener: Sendable {
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    static func start(healthDelay delay: Duration = .zero) async throws -> TestListener {
        let router = Router()
        router.get("health") { _, _ -> String in
            if delay > .zero { try await Task.sleep(for: delay) }
            return "ok"
        }
        var logger = Logger(label: "test-listener")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: logger)
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], logger: logger)
        let task = Task { try await group.run() }
        guard let port = await ports.first(where: { _ in true }) else { throw IMClientError.timedOut("a listener") }
        return TestListener(port: port, group: group, task: task)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}

/// A loopback port where nobody listens any more: bound once, then closed (a node that died).
func deadAddress() async throws -> String {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress?.port ?? 1
    try await channel.close()
    return "http://127.0.0.1:\(port)"
}
