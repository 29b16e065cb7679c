// LESSON 01 STARTER, generated from Solutions/IMCore/Logic/TimelineStore.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 01: the store the logic layer delivers through, in every lesson.
//
// `MessageStore` stores and indexes (lesson 02 builds that part on SQLite). A `TimelineStore`
// also, in the same transaction: recognises a retried send by its client message id (lesson 04),
// numbers the message in its conversation (lesson 05), counts it unread (lesson 07), and appends
// it to the timeline of each member (lesson 09). Lesson 01's `InMemoryStore` does all of it in
// memory; lesson 09's `SyncStore` does it durably. The logic layer sees only this protocol.

/// The outcome of storing a message.
public struct StoredMessage: Hashable, Sendable {
    /// The message as stored, with its id and seq.
    public let message: Message
    /// The timeline entry made for each member (sender and recipient); empty for a repeat.
    public let entries: [UserID: TimelineEntry]
    /// `true` when this was a retry of a send already stored: answer with the same ACK, push nothing.
    public let isRepeat: Bool

    public init(message: Message, entries: [UserID: TimelineEntry], isRepeat: Bool) {
        self.message = message
        self.entries = entries
        self.isRepeat = isRepeat
    }
}

/// A page of a user's timeline, before the logic layer resolves contacts' profiles.
public struct TimelinePage: Hashable, Sendable {
    public let entries: [TimelineEntry]
    public let hasMore: Bool
    public let head: Int64
    /// Why the device must reset, when the entries it needs were evicted (nil otherwise).
    public let resetReason: String?

    public init(entries: [TimelineEntry], hasMore: Bool, head: Int64, resetReason: String? = nil) {
        self.entries = entries
        self.hasMore = hasMore
        self.head = head
        self.resetReason = resetReason
    }
}

/// Storage with exactly-once sends, per-conversation seq, atomic unread and per-user timelines.
public protocol TimelineStore: MessageStore {
    /// Stores `message` once per (sender, clientMsgID) and appends it to both members' timelines.
    func store(_ message: OutgoingMessage, sentAt: Int64) async throws -> StoredMessage

    /// Marks `conversation` read by `user` up to `seq` (all when nil) and appends a read entry
    /// to the user's timeline, so that every device of the user learns of it.
    func markRead(_ conversation: ConversationID, by user: UserID, upTo seq: Int64?) async throws
        -> (receipt: ReadReceipt, entry: TimelineEntry)

    /// The entries of `user`'s timeline after `version`, oldest first.
    func timeline(of user: UserID, after version: Int64, limit: Int) async throws -> TimelinePage

    /// The newest version of `user`'s timeline (0 when empty).
    func headVersion(of user: UserID) async throws -> Int64

    /// The messages of `conversation` with a seq above `after` and at most `through`, oldest
    /// first: what a client pulls to fill a gap.
    func messages(in conversation: ConversationID, for user: UserID, seqAfter after: Int64, through: Int64, limit: Int)
        async throws -> [Message]
}
