// Lesson 01: how the logic layer names one live connection without knowing what it is.

/// Identifies one live connection (a WebSocket, a subscriber of the in-memory relay). Ids are
/// handed out in increasing order, so the larger of two ids is the newer connection.
public struct ConnectionID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "c\(rawValue)" }
    public static func < (lhs: ConnectionID, rhs: ConnectionID) -> Bool { lhs.rawValue < rhs.rawValue }
}
