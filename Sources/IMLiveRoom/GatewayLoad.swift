// LESSON 10 STARTER, generated from Solutions/IMLiveRoom/GatewayLoad.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 10: what a gateway reports about its load (`GET /api/v1/load`), and how new
// connections are handed to the least-loaded gateway.
//
// Live rooms do not spread evenly: one star's room can fill a gateway while its neighbour idles.
// Connections, not requests, are what a gateway carries, and a connection stays where it landed
// for hours. So the place to balance is the moment a client picks a gateway: HttpDNS (lesson 06)
// answers with the gateways least loaded first, from the load each one reports.

/// One gateway's load, as it reports it.
public struct GatewayLoad: Hashable, Sendable, Codable {
    /// Live WebSockets (and tunnel sessions) on the gateway.
    public var connections: Int
    public var rooms: Int
    /// Room memberships summed over the rooms.
    public var viewers: Int
    /// Bytes of room frames written per second, over the last second.
    public var outboundBytesPerSecond: Int
    /// The gateway is draining: it takes no new clients.
    public var draining: Bool

    public init(connections: Int, rooms: Int, viewers: Int, outboundBytesPerSecond: Int, draining: Bool) {
        self.connections = connections
        self.rooms = rooms
        self.viewers = viewers
        self.outboundBytesPerSecond = outboundBytesPerSecond
        self.draining = draining
    }
}

/// Orders gateway addresses for new connections.
public enum GatewayScheduler {
    /// Least loaded first: fewest connections, then fewest outbound bytes per second. Gateways
    /// whose load is unknown come after those that reported (in the order given), and draining
    /// gateways come last, so that a client still has somewhere to go if every gateway drains.
    public static func order(_ addresses: [String], loads: [String: GatewayLoad]) -> [String] {
        let rank = { (address: String) -> Int in
            guard let load = loads[address] else { return 1 }
            return load.draining ? 2 : 0
        }
        return addresses.enumerated().sorted { left, right in
            let (a, b) = (rank(left.element), rank(right.element))
            if a != b { return a < b }
            if a == 0, let x = loads[left.element], let y = loads[right.element] {
                if x.connections != y.connections { return x.connections < y.connections }
                if x.outboundBytesPerSecond != y.outboundBytesPerSecond {
                    return x.outboundBytesPerSecond < y.outboundBytesPerSecond
                }
            }
            return left.offset < right.offset
        }.map(\.element)
    }
}

/// Outbound bytes per second over a sliding second, from the bytes of each tick.
public struct ByteRate: Sendable {
    private var samples: [(at: Duration, bytes: Int)] = []

    public init() {}

    public mutating func record(_ bytes: Int, at now: Duration) {
        samples.append((now, bytes))
        samples.removeAll { now - $0.at > .seconds(1) }
    }

    public func perSecond(at now: Duration) -> Int {
        samples.filter { now - $0.at <= .seconds(1) }.reduce(0) { $0 + $1.bytes }
    }
}
