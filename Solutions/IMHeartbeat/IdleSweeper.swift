// Lesson 08: the server's idle detection, running — one sweep over the ledger every little while.
//
// The gateway reports every open, frame and close (it is the `ConnectionObserver`); a single
// task wakes every `sweepInterval`, takes the silent connections out of the ledger and closes
// them. Closing ends the connection's tasks, which unregisters it from the session map: the user
// is no longer counted online, and nothing more is pushed into the dead socket.

import IMCore
import ServiceLifecycle
import Synchronization

/// Closes WebSockets silent for longer than the idle timeout.
public final class IdleSweeper: ConnectionObserver, Service {
    /// When a connection counts as dead, and how often to look.
    public struct Configuration: Sendable, Equatable {
        /// Silence longer than this closes a connection. Keep it above the clients' heartbeat
        /// ceiling plus their pong timeout (defaults: 600 s + 10 s), or healthy clients get cut.
        public var idleTimeout: Duration = .seconds(660)
        /// How often the sweep runs; a connection lives at most this much past its timeout.
        public var sweepInterval: Duration = .seconds(10)

        public init() {}

        public init(idleTimeout: Duration, sweepInterval: Duration) {
            self.idleTimeout = idleTimeout
            self.sweepInterval = sweepInterval
        }
    }

    private struct State {
        var ledger: IdleLedger
        var closers: [ConnectionID: @Sendable (String) -> Void] = [:]
    }

    public let configuration: Configuration
    private let state: Mutex<State>
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        state = Mutex(State(ledger: IdleLedger(idleTimeout: configuration.idleTimeout, slotWidth: configuration.sweepInterval)))
        start = clock.now
    }

    /// Connections being watched.
    public var watchedCount: Int { state.withLock { $0.ledger.count } }

    public func opened(_ connection: ConnectionID, close: @escaping @Sendable (String) -> Void) {
        let now = elapsed
        state.withLock {
            $0.ledger.heard(from: connection, at: now)
            $0.closers[connection] = close
        }
    }

    public func received(on connection: ConnectionID) {
        let now = elapsed
        state.withLock {
            // A frame racing with the sweep must not bring a closed connection back.
            guard $0.ledger.contains(connection) else { return }
            $0.ledger.heard(from: connection, at: now)
        }
    }

    public func closed(_ connection: ConnectionID) {
        state.withLock {
            $0.ledger.remove(connection)
            $0.closers[connection] = nil
        }
    }

    /// Sweeps once at the current time and closes what expired; returns how many were closed.
    @discardableResult
    public func sweep() -> Int {
        let now = elapsed
        let closers = state.withLock { state in
            state.ledger.sweep(at: now).compactMap { state.closers.removeValue(forKey: $0) }
        }
        let reason = "idle timeout: no frame for more than \(configuration.idleTimeout)"
        for close in closers { close(reason) }
        return closers.count
    }

    public func run() async throws {
        // Ends at once when a shutdown begins (the drainer closes what is left) or on cancellation.
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: self.configuration.sweepInterval)
                self.sweep()
            }
        }
    }

    private var elapsed: Duration { clock.now - start }
}
