// LESSON 01 STARTER, generated from Solutions/IMCore/Logic/MessageStore.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 01: what the logic layer needs from storage (lesson 02 implements it on SQLite).

/// Durable storage of messages, the per-user index and recent contacts.
///
/// Implementations: `InMemoryStore` (lesson 01, tests) and `SQLiteStore` (lesson 02).
public protocol MessageStore: Sendable {
    /// Stores a message once, indexes it for its sender and recipient, updates both users'
    /// recent contacts (one more unread for the recipient), and returns it with its id.
    func append(_ message: OutgoingMessage, sentAt: Int64) async throws -> Message

    /// Up to `limit` messages of `conversation` with an id below `before` (all when nil), oldest first.
    func history(of conversation: ConversationID, for user: UserID, before: MessageID?, limit: Int) async throws
        -> HistoryPage

    /// The messages in `user`'s index (sent or received) with an id above `after`, oldest first.
    func messages(for user: UserID, after: MessageID, limit: Int) async throws -> [Message]

    /// The newest message id in `user`'s index, or `.zero`.
    func latestMessageID(for user: UserID) async throws -> MessageID

    /// `user`'s recent conversations, newest first.
    func recentContacts(of user: UserID, limit: Int) async throws -> [ContactRow]

    // Read marks are the timeline store's (`TimelineStore.markRead(_:by:upTo:)`): a read mark
    // must also reach the user's other devices, so there is no second way to make one.
}

/// One stored row of the recent-contacts table.
public struct ContactRow: Hashable, Sendable {
    public let conversationID: ConversationID
    public let peerID: UserID
    public let lastMessage: Message
    public let unread: Int

    public init(conversationID: ConversationID, peerID: UserID, lastMessage: Message, unread: Int) {
        self.conversationID = conversationID
        self.peerID = peerID
        self.lastMessage = lastMessage
        self.unread = unread
    }
}
