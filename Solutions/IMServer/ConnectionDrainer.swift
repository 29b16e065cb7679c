// Lesson 11: leaving cleanly. When a shutdown begins, live clients are told, gently.
//
// Without this, a graceful shutdown waits for long-lived connections that never end on their
// own, and clients find out only when the process is gone. Closing them all at once is the
// other mistake: 100,000 clients reconnect to the remaining nodes in the same second (a
// thundering herd), each with a login and a sync. So the drainer goes in three steps: stop
// being ready (a load balancer stops sending new clients), close the connections in batches
// spread over a window, then answer parked long polls and let the application stop.

import CourseSupport
import IMGateway
import ServiceLifecycle

/// A service that does nothing until a graceful shutdown begins, then drains the gateway.
public struct ConnectionDrainer: Service {
    /// How a shutdown lets clients go. The defaults suit a node without a load balancer in front;
    /// behind one, set `notReadyGrace` to a few of its health-check intervals.
    public struct Configuration: Sendable {
        /// How long `/health` answers 503 before the first connection is closed.
        public var notReadyGrace: Duration = .zero
        /// Over how long the connections are closed, so that they do not all reconnect at once.
        public var window: Duration = .seconds(2)
        /// At most this many batches.
        public var batches = 10
        /// A batch holds at least this many connections: a few connections are closed in one go.
        public var minimumBatch = 100
        /// How long to wait after the last batch for the connections to finish closing.
        public var settle: Duration = .seconds(2)

        public init() {}
    }

    /// What a client is told when its connection is closed.
    public static let reason = "server is shutting down; reconnect shortly"

    public let gateway: Gateway
    public let configuration: Configuration

    public init(gateway: Gateway, configuration: Configuration = Configuration()) {
        self.gateway = gateway
        self.configuration = configuration
    }

    public func run() async throws {
        // Returns when the graceful shutdown starts (or throws on cancellation).
        try? await gracefulShutdown()
        await drain()
    }

    /// Not ready first, then the connections in spread-out batches, then the parked polls.
    public func drain() async {
        // BEGIN EXERCISE 11.2: Stop being ready, wait the grace, close the connections oldest first in batches spread over the window, then wake the polls and let the closes settle.
        gateway.readiness.beginDraining()
        if configuration.notReadyGrace > .zero { try? await Task.sleep(for: configuration.notReadyGrace) }
        let connections = await gateway.registry.allConnections()
        let minimumBatch = max(1, configuration.minimumBatch)
        let batchCount = max(1, min(configuration.batches, (connections.count + minimumBatch - 1) / minimumBatch))
        let batchSize = max(1, (connections.count + batchCount - 1) / batchCount)
        for (index, start) in stride(from: 0, to: connections.count, by: batchSize).enumerated() {
            if index > 0 { try? await Task.sleep(for: configuration.window / batchCount) }
            for entry in connections[start..<min(start + batchSize, connections.count)] {
                entry.sink.close(reason: Self.reason)
            }
        }
        await gateway.longPolls.wakeAll()
        await gateway.waitUntilNoConnections(timeout: configuration.settle)
        // STUB: _ = Exercise.notImplemented("11.2", expected: "/health answering 503 before any connection is closed, then the connections closed in batches spread over the window")
        // STUB: await gateway.drain(reason: Self.reason)
        // END EXERCISE 11.2
    }
}
