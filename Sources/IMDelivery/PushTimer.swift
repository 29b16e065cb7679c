// LESSON 04 STARTER, generated from Solutions/IMDelivery/PushTimer.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 04 (at scale): one clock for the push windows of every connection.
//
// A timer task per connection is the simple way to drive a `PushWindow`, and `PushScheduler.run()`
// still offers it. But a parked task keeps kilobytes of stack per connection, and most windows are
// empty most of the time. Production gateways use one timer wheel for all connections instead:
// a window is watched only while it has pushes waiting, and one task checks the watched windows
// every tick. A push's re-send may then come up to one tick late; the ACK time-outs are seconds.

import ServiceLifecycle
import Synchronization

/// A push window driven by `PushTimer`.
public protocol PushTimerClient: AnyObject, Sendable {
    /// Re-sends or gives up what is overdue; returns whether anything still waits for an ACK.
    func tick() -> Bool
    /// Whether anything waits for an ACK.
    var hasPending: Bool { get }
}

/// Ticks every watched push window; one per server, run as a service.
public final class PushTimer: Service, Sendable {
    public struct Configuration: Sendable, Hashable {
        /// How often the watched windows are checked: the most a re-push can be late.
        public var tick: Duration
        public init(tick: Duration = .milliseconds(50)) {
            self.tick = tick
        }
    }

    public let configuration: Configuration
    private let watched = Mutex<[ObjectIdentifier: any PushTimerClient]>([:])
    /// The timer parks here while nothing is watched.
    private let wakeup = Wakeup()

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Checks `client` on every tick until it has nothing pending.
    public func watch(_ client: any PushTimerClient) {
        watched.withLock { $0[ObjectIdentifier(client)] = client }
        wakeup.wake()
    }

    /// How many windows are watched (they have pushes waiting for an ACK).
    public var watchedCount: Int { watched.withLock { $0.count } }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.wakeup.park { !self.watched.withLock { $0.isEmpty } }
                try? await Task.sleep(for: self.configuration.tick)
                self.tickAll()
            }
        }
    }

    /// One tick: every watched window acts on what is overdue; windows left empty stop being watched.
    func tickAll() {
        let clients = watched.withLock { Array($0) }
        // Ticked outside the lock: a tick sends frames and may close a connection.
        let settled = clients.filter { !$0.value.tick() }
        guard !settled.isEmpty else { return }
        watched.withLock { watched in
            for (key, _) in settled { watched[key] = nil }
        }
        // A push that came between the tick and the removal found the window still watched.
        for (_, client) in settled where client.hasPending { watch(client) }
    }
}
