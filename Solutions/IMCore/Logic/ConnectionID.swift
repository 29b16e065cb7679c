// Lesson 01: how the logic layer names one live connection without knowing what it is.

/// Identifies one live connection (a WebSocket, a subscriber of the in-memory relay).
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "c\(rawValue)" }
}
