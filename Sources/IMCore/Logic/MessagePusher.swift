// LESSON 01 STARTER, generated from Solutions/IMCore/Logic/MessagePusher.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 01: the seam between the logic layer and the access layer.
//
// The logic layer decides WHAT to deliver and to WHOM; the access layer (gateways, connections)
// knows HOW to reach a user right now. This protocol is all the logic layer sees of it, so
// connections can come and go, and gateways can be restarted, without touching the logic.

/// Identifies one live connection, so a push can skip the connection a message came from.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "c\(rawValue)" }
}

/// Delivers stored messages to whoever is connected.
public protocol MessagePusher: Sendable {
    /// Push `message` to every connection of its recipient, and to every connection of its
    /// sender except `origin` (the connection it was sent from, if any).
    func deliver(_ message: Message, origin: ConnectionID?) async
}

/// Hands every message to several pushers (e.g. WebSocket sessions and long-poll waiters).
public struct FanOutPusher: MessagePusher {
    public let pushers: [any MessagePusher]
    public init(_ pushers: [any MessagePusher]) { self.pushers = pushers }
    public func deliver(_ message: Message, origin: ConnectionID?) async {
        for pusher in pushers { await pusher.deliver(message, origin: origin) }
    }
}
