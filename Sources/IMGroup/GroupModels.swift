// LESSON 20 STARTER, generated from Solutions/IMGroup/GroupModels.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 20: what the group frames and routes carry (docs/PROTOCOL.md, "Groups").

import IMCore

/// A member's role. The owner and admins add and remove members.
public enum GroupRole: String, Hashable, Sendable, Codable {
    case owner, admin, member

    var stored: Int {
        switch self {
        case .member: 0
        case .admin: 1
        case .owner: 2
        }
    }

    init(stored: Int) { self = stored == 2 ? .owner : stored == 1 ? .admin : .member }

    /// Whether this role may add and remove members.
    public var managesMembers: Bool { self != .member }
}

/// A message of a group: stored once, numbered by the group's own seq (1, 2, 3… with no gaps).
public struct GroupMessage: Hashable, Sendable, Codable {
    public let group: GroupID
    public let seq: Int64
    public let from: UserID
    public let clientMsgID: String?
    public let body: String
    public let sentAt: Int64

    public init(group: GroupID, seq: Int64, from: UserID, clientMsgID: String?, body: String, sentAt: Int64) {
        self.group = group
        self.seq = seq
        self.from = from
        self.clientMsgID = clientMsgID
        self.body = body
        self.sentAt = sentAt
    }
}

/// One group as one of its members (or a former member) sees it: what `group.sync` lists.
public struct GroupSummary: Hashable, Sendable, Codable {
    public let group: GroupID
    public let name: String
    public let role: GroupRole
    public let memberCount: Int
    /// The group's newest seq.
    public let lastSeq: Int64
    /// The member's positions: it reads seqs above `joinSeq` (up to `leftSeq` when it was removed).
    public let joinSeq: Int64
    public let readSeq: Int64
    public let leftSeq: Int64?
    /// Computed: lastSeq (or leftSeq) − max(readSeq, joinSeq).
    public let unread: Int
}

/// One member as `group.members` lists it.
public struct GroupMember: Hashable, Sendable, Codable {
    public let user: UserID
    public let role: GroupRole
    public let joinSeq: Int64
}

/// A page of a group's history, oldest first.
public struct GroupHistoryPage: Hashable, Sendable, Codable {
    public let group: GroupID
    public let messages: [GroupMessage]
    /// Whether more visible messages lie beyond this page in the direction asked.
    public let hasMore: Bool
    /// The first seq the caller may read is `joinSeq + 1`.
    public let joinSeq: Int64
}

/// The answer to `group.read`, also pushed to the reader's other devices.
public struct GroupReadReceipt: Hashable, Sendable, Codable {
    public let group: GroupID
    public let readSeq: Int64
    public let unread: Int
}

/// A change of membership, pushed to the online devices of the members concerned.
public struct GroupMembershipChange: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable { case added, removed }
    public let group: GroupID
    public let kind: Kind
    public let users: [UserID]
    /// The group's last seq at the change: an added member reads above it, a removed one up to it.
    public let atSeq: Int64
    public let by: UserID
}

/// The outcome of a send: the stored message, and whether it was a retry already stored.
public struct GroupSendResult: Hashable, Sendable {
    public let message: GroupMessage
    public let isRepeat: Bool
}
