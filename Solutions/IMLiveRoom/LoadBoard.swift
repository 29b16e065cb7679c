// Lesson 10: the loads HttpDNS orders gateways by.
//
// On one node the board knows one load, its own (under `LiveRoomConfiguration.advertisedAddress`).
// With several gateways each one's report would reach the board through a shared registry (lesson
// 18); `record` is the door for it, and the tests use it to stand in for other gateways.

import IMSecurity

/// The latest load of each gateway address.
public actor LoadBoard {
    private var loads: [String: GatewayLoad] = [:]

    public init() {}

    public func record(_ load: GatewayLoad, for address: String) { loads[address] = load }

    public func forget(_ address: String) { loads[address] = nil }

    /// `addresses` least-loaded first (see `GatewayScheduler`).
    public func order(_ addresses: [String]) -> [String] { GatewayScheduler.order(addresses, loads: loads) }
}
