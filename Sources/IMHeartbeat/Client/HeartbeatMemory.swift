// LESSON 08 STARTER, generated from Solutions/IMHeartbeat/Client/HeartbeatMemory.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 08: what a client remembers between connections — the interval each network allows.
//
// The NAT timeout belongs to the network, not to the connection: the office Wi-Fi, the home
// router and the mobile carrier each have their own. A client that moves between them should
// not search again from scratch every time, so it keeps the stable interval found on each
// network, keyed by something that names it (the Wi-Fi's SSID, the carrier and radio type).

/// Stable heartbeat intervals by network.
public struct HeartbeatMemory: Sendable, Equatable {
    private var intervals: [String: Duration] = [:]

    public init() {}

    /// The interval remembered for `network`, if one was found stable there.
    public func interval(for network: String) -> Duration? { intervals[network] }

    /// Remembers `interval` for `network` (replacing what was known).
    public mutating func remember(_ interval: Duration, for network: String) {
        intervals[network] = interval
    }

    /// Forgets `network` (its interval failed repeatedly: the network changed).
    public mutating func forget(_ network: String) {
        intervals[network] = nil
    }

    /// A heartbeat for `network`: settled at the remembered interval, or a fresh search.
    public func heartbeat(for network: String, policy: HeartbeatPolicy) -> AdaptiveHeartbeat {
        if let remembered = intervals[network] {
            return AdaptiveHeartbeat(policy: policy, remembered: remembered)
        }
        return AdaptiveHeartbeat(policy: policy)
    }
}
