// Lesson 03: `ConnectionLimits` applied to the listener's channels.

import Logging
import NIOCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Admits, evicts and refuses the gateway's connections, and counts what it did. Shared by all
/// event loops, behind a lock.
public final class ConnectionLimiter: Sendable {
    /// What the limiter has done since the server started.
    public struct Statistics: Sendable, Equatable {
        /// Connections open now.
        public var open = 0
        /// Of those, connections that have not sent a request yet.
        public var awaitingRequest = 0
        /// Connections closed to make room for a newer one (they had not sent a request).
        public var evicted = 0
        /// Connections refused because their address had the most it may have.
        public var refusedPerAddress = 0
        /// Connections refused because the server had the most it may have.
        public var refusedTotal = 0
    }

    private struct State {
        var limits: ConnectionLimits
        /// Channels that may still be evicted (those without a request yet).
        var evictable: [ConnectionLimits.ID: any Channel] = [:]
        var statistics = Statistics()
        var lastWarning: ContinuousClock.Instant?
    }

    public let configuration: ConnectionLimits.Configuration
    private let state: Mutex<State>

    public init(configuration: ConnectionLimits.Configuration) {
        self.configuration = configuration
        state = Mutex(State(limits: ConnectionLimits(configuration: configuration)))
    }

    public var statistics: Statistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.open = state.limits.count
            statistics.awaitingRequest = state.limits.awaitingRequest
            return statistics
        }
    }

    /// A ticket for an admitted channel; nil when it is refused (the channel is then closed).
    /// The ticket is released when the channel closes.
    func admit(_ channel: any Channel, logger: Logger) -> ConnectionLimits.ID? {
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        let (admission, victim, warn) = state.withLock { state in
            let admission = state.limits.admit(from: address)
            var victim: (any Channel)?
            var warn = false
            var refused = false
            switch admission {
            case .admitted(let id, let evicting):
                if let evicting {
                    victim = state.evictable.removeValue(forKey: evicting)
                    state.statistics.evicted += 1
                }
                state.evictable[id] = channel
            case .refused(let cap):
                refused = true
                if cap == .perAddress { state.statistics.refusedPerAddress += 1 } else { state.statistics.refusedTotal += 1 }
            }
            if victim != nil || refused {
                // A flood would write a line per connection: one warning every 10 s is enough.
                let now = ContinuousClock.now
                warn = state.lastWarning.map { now - $0 > .seconds(10) } ?? true
                if warn { state.lastWarning = now }
            }
            return (admission, victim, warn)
        }
        victim?.close(promise: nil)
        if warn {
            let statistics = statistics
            logger.warning(
                "connection caps reached: closing connections that sent no request, refusing new ones if none is left",
                metadata: [
                    "open": "\(statistics.open)", "evicted": "\(statistics.evicted)",
                    "refused_per_address": "\(statistics.refusedPerAddress)", "refused_total": "\(statistics.refusedTotal)",
                    "max_connections": "\(configuration.maxConnections)",
                    "max_connections_per_address": "\(configuration.maxConnectionsPerAddress)",
                ])
        }
        switch admission {
        case .admitted(let id, _):
            channel.closeFuture.whenComplete { _ in self.closed(id) }
            return id
        case .refused(let cap):
            logger.debug("connection refused", metadata: ["address": "\(address)", "cap": "\(cap.rawValue)"])
            channel.close(promise: nil)
            return nil
        }
    }

    /// Connection `id` has sent its first request head: it is no longer evicted to make room.
    func requestArrived(_ id: ConnectionLimits.ID) {
        state.withLock { state in
            state.limits.requestArrived(id)
            state.evictable[id] = nil
        }
    }

    private func closed(_ id: ConnectionLimits.ID) {
        state.withLock { state in
            state.limits.closed(id)
            state.evictable[id] = nil
        }
    }

    /// The default cap on connections: the open-file limit, less what the rest of the server
    /// needs (the database and its journal, logs, the listener, the event loops' own
    /// descriptors, uploads): 64, or a quarter of a small limit. Accept then never meets EMFILE
    /// because of connections.
    public static func defaultMaxConnections() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1_000 }
        let files = min(Int(clamping: limit.rlim_cur), 1 << 20)  // unlimited is the largest value
        return max(1, files - min(64, files / 4))
    }
}
