// LESSON 01 STARTER, generated from Solutions/IMCore/Model/Int64Identifier.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 01: what every numbered identifier shares.
//
// A user, a message and a group are all numbered by the server, and each number has a type of
// its own, so that a user id can never be passed where a message id is expected. On the wire each
// is a plain JSON number. Conforming needs only the stored `rawValue` and `init(rawValue:)`.

/// An identifier that is a whole number: ordered, hashable, a JSON number on the wire.
public protocol Int64Identifier: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible
where RawValue == Int64 {
    init(rawValue: Int64)
}

extension Int64Identifier {
    public init(_ rawValue: Int64) { self.init(rawValue: rawValue) }
    public init(from decoder: any Decoder) throws { self.init(rawValue: try decoder.singleValueContainer().decode(Int64.self)) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}
