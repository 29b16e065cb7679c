// LESSON 03 STARTER, generated from Solutions/IMGateway/WebSocket/ConnectionLimits.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03: how many connections the gateway holds, per client address and in all.
//
// Every connection costs a file descriptor, and a process has a fixed number of them. If
// connections may take them all, the next accept fails (EMFILE), and so does everything else
// that opens a file: the database, the log, `/health`. So the gateway counts its connections
// and keeps the total below the open-file limit, and one address below a share of it.
//
// A connection that has not yet sent its first request head (an idle or half-open socket, a
// slowloris) is the cheapest thing to drop: it has no session and has been served nothing. So
// when a cap is reached, the oldest such connection makes room for the new one; only when every
// connection has sent a request is the new one refused. A flood of silent sockets then churns
// through its own connections, and `/health` or a login still gets in.

import NIOCore

/// The counting and the decisions, without I/O: `ConnectionLimiter` applies them to channels.
public struct ConnectionLimits: Sendable {
    /// A connection, in the order they were admitted (a smaller one is older).
    public typealias ID = UInt64

    public struct Configuration: Sendable, Equatable {
        /// The most connections open at once.
        public var maxConnections: Int
        /// The most connections open at once from one client address.
        public var maxConnectionsPerAddress: Int

        public init(maxConnections: Int, maxConnectionsPerAddress: Int) {
            self.maxConnections = max(1, maxConnections)
            self.maxConnectionsPerAddress = max(1, maxConnectionsPerAddress)
        }
    }

    /// Which cap a connection met.
    public enum Cap: String, Sendable, Equatable {
        case perAddress = "per_address"
        case total = "total"
    }

    public enum Admission: Sendable, Equatable {
        /// Admitted as `id`; `evicting` is an older connection, still without a request, to close now.
        case admitted(id: ID, evicting: ID?)
        /// Every connection counted against `cap` has sent a request: the new one is refused.
        case refused(Cap)
    }

    public let configuration: Configuration
    private var open: [ID: Connection] = [:]
    private var addresses: [String: AddressState] = [:]
    /// Connections still awaiting their first request, oldest first. Entries that have since
    /// sent a request or closed are skipped when met, and swept out when they outnumber the rest.
    private var waiting = CircularBuffer<ID>()
    private var waitingCount = 0
    private var nextID: ID = 1

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    private struct Connection {
        let address: String
        var awaitingRequest = true
    }

    private struct AddressState {
        var open = 0
        var waitingCount = 0
        var waiting = CircularBuffer<ID>()
    }

    /// Connections open now.
    public var count: Int { open.count }
    /// Connections open now from `address`.
    public func count(from address: String) -> Int { addresses[address]?.open ?? 0 }
    /// Connections that have not sent a request yet.
    public var awaitingRequest: Int { waitingCount }

    /// A connection from `address` was accepted: admit it (perhaps in place of an older one
    /// without a request) or refuse it. An evicted connection is no longer counted.
    public mutating func admit(from address: String) -> Admission {
        var evicted: ID?
        if count(from: address) >= configuration.maxConnectionsPerAddress {
            guard let oldest = oldestWaiting(from: address) else { return .refused(.perAddress) }
            remove(oldest)
            evicted = oldest
        }
        if open.count >= configuration.maxConnections {
            guard let oldest = oldestWaiting(from: nil) else { return .refused(.total) }
            remove(oldest)
            evicted = oldest
        }
        let id = nextID
        nextID += 1
        open[id] = Connection(address: address)
        addresses[address, default: AddressState()].open += 1
        addresses[address]?.waiting.append(id)
        addresses[address]?.waitingCount += 1
        waiting.append(id)
        waitingCount += 1
        return .admitted(id: id, evicting: evicted)
    }

    /// Connection `id` has sent its first request head: from now on it is never evicted.
    public mutating func requestArrived(_ id: ID) {
        guard let connection = open[id], connection.awaitingRequest else { return }
        open[id]?.awaitingRequest = false
        stopWaiting(connection.address)
    }

    /// Connection `id` has closed (nothing happens if it was evicted, or closed before).
    public mutating func closed(_ id: ID) {
        remove(id)
    }

    private mutating func remove(_ id: ID) {
        guard let connection = open.removeValue(forKey: id) else { return }
        if connection.awaitingRequest { stopWaiting(connection.address) }
        addresses[connection.address]?.open -= 1
        if addresses[connection.address]?.open == 0 { addresses[connection.address] = nil }
    }

    private mutating func stopWaiting(_ address: String) {
        waitingCount -= 1
        addresses[address]?.waitingCount -= 1
        // Stale entries stay in the queues until met; sweep them out before they pile up.
        if waiting.count > 2 * waitingCount + 64 {
            waiting = CircularBuffer(waiting.filter { open[$0]?.awaitingRequest == true })
        }
        if let state = addresses[address], state.waiting.count > 2 * state.waitingCount + 16 {
            addresses[address]?.waiting = CircularBuffer(state.waiting.filter { open[$0]?.awaitingRequest == true })
        }
    }

    /// The oldest connection still awaiting its first request, from `address` or from anywhere.
    private mutating func oldestWaiting(from address: String?) -> ID? {
        if let address {
            while let id = addresses[address]?.waiting.first {
                if open[id]?.awaitingRequest == true { return id }
                addresses[address]?.waiting.removeFirst()
            }
            return nil
        }
        while let id = waiting.first {
            if open[id]?.awaitingRequest == true { return id }
            waiting.removeFirst()
        }
        return nil
    }
}
