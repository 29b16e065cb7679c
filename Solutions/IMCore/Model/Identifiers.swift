// Lesson 01: the identifiers of the domain.
//
// Each id is its own type so that a user id can never be passed where a message id is expected.
// They encode as plain JSON numbers (`Int64Identifier`) or strings (see docs/PROTOCOL.md).

/// A user, numbered by the server.
public struct UserID: Int64Identifier {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
}

/// A stored message, numbered by the server in the order messages were stored.
public struct MessageID: Int64Identifier {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    /// Below every real message id: "from the beginning".
    public static let zero = MessageID(0)
}

/// One of a user's devices (a phone, a laptop, a browser tab), named by the client.
public struct DeviceID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    /// Accepts 1–64 characters of `A–Z a–z 0–9 _ -`; anything else is not a device id.
    public init?(rawValue: String) {
        guard (1...64).contains(rawValue.utf8.count),
            rawValue.utf8.allSatisfy({ $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else { return nil }
        self.rawValue = rawValue
    }
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let value = DeviceID(rawValue: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid device id"))
        }
        self = value
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }
}

/// A conversation. A one-to-one conversation is named after its two members, lower id first
/// (`d:3:7`), so both sides can compute it without asking the server.
public struct ConversationID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init?(rawValue: String) {
        guard Self.directMembers(of: rawValue) != nil else { return nil }
        self.rawValue = rawValue
    }

    /// The one-to-one conversation between two users.
    public static func direct(_ a: UserID, _ b: UserID) -> ConversationID {
        let (low, high) = a < b ? (a, b) : (b, a)
        return ConversationID(unchecked: "d:\(low.rawValue):\(high.rawValue)")
    }

    private init(unchecked rawValue: String) { self.rawValue = rawValue }

    /// The two members of a one-to-one conversation.
    public var members: [UserID] {
        guard let (a, b) = Self.directMembers(of: rawValue) else { return [] }
        return [a, b]
    }

    /// Whether `user` takes part in this conversation.
    public func hasMember(_ user: UserID) -> Bool { members.contains(user) }

    /// The other member, seen from `user`.
    public func peer(of user: UserID) -> UserID? {
        let members = members
        guard members.contains(user) else { return nil }
        return members.first { $0 != user } ?? user
    }

    private static func directMembers(of raw: String) -> (UserID, UserID)? {
        let parts = raw.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "d", let a = Int64(parts[1]), let b = Int64(parts[2]), a > 0, a <= b,
            // Canonical digits only: `d:07:9` or `d:+7:9` would name the same pair under a second id.
            parts[1] == String(a), parts[2] == String(b)
        else { return nil }
        return (UserID(a), UserID(b))
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        // A well-formed field with a wrong id is the client's argument, not a broken frame: the
        // same `invalid_argument` as when the id comes in a URL.
        guard let value = ConversationID(rawValue: raw) else {
            throw IMError.invalidArgument("`\(raw)` is not a conversation id")
        }
        self = value
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }
}

extension UInt8 {
    var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
