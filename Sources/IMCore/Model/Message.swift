// LESSON 01 STARTER, generated from Solutions/IMCore/Model/Message.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 01: a message, before and after the server has stored it.

/// A message the server has stored. Only the store makes these: it gives `id` and `sentAt`.
public struct Message: Hashable, Sendable, Codable {
    /// Unique, and increasing in the order messages were stored.
    public let id: MessageID
    public let conversationID: ConversationID
    public let from: UserID
    public let to: UserID
    /// The sender's own id for this message, echoed back so it can match the acknowledgement.
    public let clientMsgID: String?
    public let body: String
    /// Milliseconds since 1970 UTC, taken by the server when it stored the message.
    public let sentAt: Int64
    /// The message's place in its conversation (lesson 05): increasing, not necessarily contiguous.
    public let seq: Int64?
    /// The `seq` of the message before it in the conversation (0 for the first): a client that has
    /// not seen `prevSeq` knows it missed something.
    public let prevSeq: Int64?

    public init(
        id: MessageID, conversationID: ConversationID, from: UserID, to: UserID, clientMsgID: String?, body: String,
        sentAt: Int64, seq: Int64? = nil, prevSeq: Int64? = nil
    ) {
        self.id = id
        self.conversationID = conversationID
        self.from = from
        self.to = to
        self.clientMsgID = clientMsgID
        self.body = body
        self.sentAt = sentAt
        self.seq = seq
        self.prevSeq = prevSeq
    }

    /// The same message with its place in the conversation.
    public func numbered(seq: Int64, prevSeq: Int64) -> Message {
        Message(
            id: id, conversationID: conversationID, from: from, to: to, clientMsgID: clientMsgID, body: body,
            sentAt: sentAt, seq: seq, prevSeq: prevSeq)
    }
}

/// A message that has been checked and is ready to be stored.
public struct OutgoingMessage: Hashable, Sendable {
    public let from: UserID
    public let to: UserID
    public let clientMsgID: String?
    public let body: String
    public var conversationID: ConversationID { .direct(from, to) }

    public init(from: UserID, to: UserID, clientMsgID: String?, body: String) {
        self.from = from
        self.to = to
        self.clientMsgID = clientMsgID
        self.body = body
    }
}

/// One row of a user's recent-contacts list: the conversation, its newest message, the unread count.
public struct RecentContact: Hashable, Sendable, Codable {
    public let conversationID: ConversationID
    public let peer: User
    public let lastMessage: Message
    public let unread: Int

    public init(conversationID: ConversationID, peer: User, lastMessage: Message, unread: Int) {
        self.conversationID = conversationID
        self.peer = peer
        self.lastMessage = lastMessage
        self.unread = unread
    }
}

/// A page of history, oldest message first.
public struct HistoryPage: Hashable, Sendable, Codable {
    public let messages: [Message]
    /// Whether older messages exist before the first one of this page.
    public let hasMore: Bool

    public init(messages: [Message], hasMore: Bool) {
        self.messages = messages
        self.hasMore = hasMore
    }
}
