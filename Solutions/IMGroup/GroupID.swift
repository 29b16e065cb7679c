// Lesson 20: the identifier of a group, a number on the wire.

import IMCore

/// A group's id (a positive whole number, given by the server).
public struct GroupID: Int64Identifier {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
}
