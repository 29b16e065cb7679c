// LESSON 10 STARTER, generated from Solutions/IMLiveRoom/RoomWire.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 10: the payloads of the live-room frames (`room.*`, docs/PROTOCOL.md).
//
// Live-room chat is lossy by design. A post lives in memory until the next tick, goes out in one
// batch, and is gone: nothing is stored per viewer, nothing is re-sent, nothing is acknowledged.

import IMCore

/// A room's name: 1–64 characters of `a–z 0–9 _ -`, chosen by whoever opens the room.
public struct RoomID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init?(rawValue: String) {
        guard (1...64).contains(rawValue.utf8.count),
            rawValue.utf8.allSatisfy({
                ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                    || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
            })
        else { return nil }
        self.rawValue = rawValue
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let value = RoomID(rawValue: raw) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "a room is 1-64 characters of a-z 0-9 _ -"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static func < (lhs: RoomID, rhs: RoomID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { rawValue }
}

/// What a post is. Gifts are what the room lives on (and what is paid for): never sampled out.
public enum PostKind: String, Hashable, Sendable, Codable {
    case comment
    case gift
}

/// One post, as viewers see it.
public struct RoomPost: Hashable, Sendable, Codable {
    /// Numbered per room in the order posted, from 1.
    public let seq: UInt64
    public let from: UserID
    public let kind: PostKind
    /// Posted by the room's host.
    public let host: Bool
    public let body: String

    public init(seq: UInt64, from: UserID, kind: PostKind, host: Bool, body: String) {
        self.seq = seq
        self.from = from
        self.kind = kind
        self.host = host
        self.body = body
    }

    /// Kept whatever the budget: gifts and the host's posts. (A viewer's own posts are kept for
    /// that viewer alone, see `RoomOwn`.)
    public var isPriority: Bool { kind == .gift || host }
}

// MARK: Client frames

/// `room.join` and `room.leave`.
public struct RoomRequest: Hashable, Sendable, Codable {
    public let room: RoomID

    public init(room: RoomID) { self.room = room }
}

/// `room.post`.
public struct RoomPostRequest: Hashable, Sendable, Codable {
    public let room: RoomID
    public let body: String
    /// `comment` when absent.
    public let kind: PostKind?

    public init(room: RoomID, body: String, kind: PostKind? = nil) {
        self.room = room
        self.body = body
        self.kind = kind
    }
}

// MARK: Server frames

/// `room.joined` (answer to `room.join`), `room.left` (answer to `room.leave`), and the answer
/// of `POST /api/v1/rooms` and `GET /api/v1/rooms/{room}`.
public struct RoomInfo: Hashable, Sendable, Codable {
    public let room: RoomID
    public let host: UserID
    /// Viewers on this gateway, as of this answer.
    public let viewers: Int

    public init(room: RoomID, host: UserID, viewers: Int) {
        self.room = room
        self.host = host
        self.viewers = viewers
    }
}

/// `room.posted`: the post is taken; it goes out with the next tick's batch.
public struct RoomPosted: Hashable, Sendable, Codable {
    public let room: RoomID
    public let seq: UInt64

    public init(room: RoomID, seq: UInt64) {
        self.room = room
        self.seq = seq
    }
}

/// `room.batch`: one tick of a room. Encoded once and written, byte for byte, to every viewer.
public struct RoomBatch: Hashable, Sendable, Codable {
    public let room: RoomID
    /// The room's tick number: batches of one room come in increasing order.
    public let tick: UInt64
    /// Viewers of the room, counted locally and published once per tick.
    public let viewers: Int
    /// What was kept, in the order posted.
    public let posts: [RoomPost]
    /// Comments of this tick left out to keep viewers within their budget.
    public let sampled: Int

    public init(room: RoomID, tick: UInt64, viewers: Int, posts: [RoomPost], sampled: Int) {
        self.room = room
        self.tick = tick
        self.viewers = viewers
        self.posts = posts
        self.sampled = sampled
    }
}

/// `room.own`: the viewer's own comments that the tick's batch sampled out, sent to that viewer
/// alone right after the batch (a chat where your own line vanishes looks broken).
public struct RoomOwn: Hashable, Sendable, Codable {
    public let room: RoomID
    public let tick: UInt64
    public let posts: [RoomPost]

    public init(room: RoomID, tick: UInt64, posts: [RoomPost]) {
        self.room = room
        self.tick = tick
        self.posts = posts
    }
}

/// `room.missed`: sent to a viewer that was too slow, just before the first batch it gets again.
public struct RoomMissed: Hashable, Sendable, Codable {
    public let room: RoomID
    /// Batches skipped, and the posts they carried.
    public let batches: Int
    public let posts: Int

    public init(room: RoomID, batches: Int, posts: Int) {
        self.room = room
        self.batches = batches
        self.posts = posts
    }
}

/// `room.reconnect`: this gateway is draining; resolve the gateways again (`GET /api/v1/dns`),
/// connect to another and join these rooms there.
public struct RoomReconnect: Hashable, Sendable, Codable {
    public let rooms: [RoomID]
    public let reason: String

    public init(rooms: [RoomID], reason: String) {
        self.rooms = rooms
        self.reason = reason
    }
}
