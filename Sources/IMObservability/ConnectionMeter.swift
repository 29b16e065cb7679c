// LESSON 19 STARTER, generated from Solutions/IMObservability/ConnectionMeter.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 19: open connections, as the gateway reports them.

import CoreMetrics
import IMCore
import IMGateway

/// Keeps `im_connections` and `im_connections_opened_total` in step with the gateway's WebSockets.
struct ConnectionMeter: ConnectionObserver {
    let metrics: ServerMetrics

    func opened(_ connection: ConnectionID, close: @escaping @Sendable (String) -> Void) {
        metrics.connections.increment()
        metrics.connectionsOpened.increment()
    }

    func received(on connection: ConnectionID) {}

    func closed(_ connection: ConnectionID) { metrics.connections.decrement() }
}
