// LESSON 01 STARTER, generated from Solutions/IMCore/Model/Timeline.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 09: the per-user timeline that keeps several devices in step.
//
// Everything that changes what a user sees — a message sent or received, a conversation read on
// some device — becomes an entry in that user's timeline with the next version number. Each
// entry also names the version before it, so a device that holds version 41 and receives an
// entry whose previous version is 43 knows it missed 42..43 and asks for them.

/// One entry of a user's timeline.
public struct TimelineEntry: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable {
        /// A message was sent or received (`message` is set).
        case message
        /// A conversation was read on one of the user's devices (`read` is set).
        case read
    }

    public let version: Int64
    /// The version of the entry before this one in the same timeline (0 for the first).
    public let prevVersion: Int64
    public let kind: Kind
    public let message: Message?
    public let read: ReadReceipt?

    public init(version: Int64, prevVersion: Int64, message: Message) {
        self.version = version
        self.prevVersion = prevVersion
        kind = .message
        self.message = message
        read = nil
    }

    public init(version: Int64, prevVersion: Int64, read: ReadReceipt) {
        self.version = version
        self.prevVersion = prevVersion
        kind = .read
        message = nil
        self.read = read
    }
}

/// The payload of a `sync` request: "give me what came after `after`".
public struct SyncRequest: Hashable, Sendable, Codable {
    public let after: Int64
    public let limit: Int?

    public init(after: Int64, limit: Int? = nil) {
        self.after = after
        self.limit = limit
    }
}

/// The answer to `sync`: the next entries in order, or a reset when the device fell too far behind.
public struct SyncPage: Hashable, Sendable, Codable {
    /// Entries with a version above the request's `after`, oldest first, chained by `prevVersion`.
    public let entries: [TimelineEntry]
    /// Whether more entries follow the last one of this page.
    public let hasMore: Bool
    /// The newest version of the timeline when the page was read.
    public let head: Int64
    /// Set when the entries after `after` are no longer kept (the offline store is capped):
    /// the device must rebuild from `reset.contacts` and per-conversation history, then continue
    /// from `head`.
    public let reset: SyncReset?

    public init(entries: [TimelineEntry], hasMore: Bool, head: Int64, reset: SyncReset? = nil) {
        self.entries = entries
        self.hasMore = hasMore
        self.head = head
        self.reset = reset
    }
}

/// What a device needs to start over: recent contacts with unread counts, and why.
public struct SyncReset: Hashable, Sendable, Codable {
    public let reason: String
    public let contacts: [RecentContact]
    public let totalUnread: Int

    public init(reason: String, contacts: [RecentContact], totalUnread: Int) {
        self.reason = reason
        self.contacts = contacts
        self.totalUnread = totalUnread
    }
}
