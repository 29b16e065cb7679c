// Lesson 11: leaving cleanly. When a shutdown begins, live clients are told first.
//
// Without this, a graceful shutdown waits for long-lived connections that never end on their
// own, and clients find out only when the process is gone. The drainer closes every WebSocket
// (clients reconnect, to this node when it is back or to another) and answers parked long polls,
// so the application can stop accepting and finish what is in flight.

import IMGateway
import ServiceLifecycle

/// A service that does nothing until a graceful shutdown begins, then drains the gateway.
public struct ConnectionDrainer: Service {
    public let gateway: Gateway

    public init(gateway: Gateway) {
        self.gateway = gateway
    }

    public func run() async throws {
        // Returns when the graceful shutdown starts (or throws on cancellation).
        try? await gracefulShutdown()
        await gateway.drain(reason: "server is shutting down; reconnect shortly")
    }
}
