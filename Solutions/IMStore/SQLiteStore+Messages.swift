// Lesson 02: writing and reading messages.

import CourseSupport
import GRDB
import IMCore

extension SQLiteStore: MessageStore {
    public func append(_ outgoing: OutgoingMessage, sentAt: Int64) async throws -> Message {
        try await database.write { db in try Self.insert(outgoing, sentAt: sentAt, in: db) }
    }

    /// Stores `outgoing` inside the caller's transaction (later lessons add to the same transaction).
    public static func insert(_ outgoing: OutgoingMessage, sentAt: Int64, in db: Database) throws -> Message {
        // BEGIN EXERCISE 02.1: In one transaction: store the content once, index it for both users, update recent contacts.
        try db.cachedStatement(
            sql: """
                INSERT INTO message (conversation_id, sender_id, recipient_id, client_msg_id, body, sent_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            outgoing.conversationID.rawValue, outgoing.from.rawValue, outgoing.to.rawValue, outgoing.clientMsgID,
            outgoing.body, sentAt,
        ])
        let message = Message(
            id: MessageID(db.lastInsertedRowID), conversationID: outgoing.conversationID, from: outgoing.from,
            to: outgoing.to, clientMsgID: outgoing.clientMsgID, body: outgoing.body, sentAt: sentAt)
        let isNoteToSelf = message.from == message.to
        // The sender's outbox row, then the recipient's inbox row.
        try index(message, owner: message.from, peer: message.to, direction: 0, in: db)
        try touchContact(message, owner: message.from, peer: message.to, addUnread: 0, in: db)
        if !isNoteToSelf {
            try index(message, owner: message.to, peer: message.from, direction: 1, in: db)
            try touchContact(message, owner: message.to, peer: message.from, addUnread: 1, in: db)
        }
        return message
        // STUB: throw Exercise.notImplemented("02.1", expected: "one message row, an outbox row and an inbox row in user_message, both recent_contact rows updated (recipient unread + 1), all in one transaction")
        // END EXERCISE 02.1
    }

    public func history(of conversation: ConversationID, for user: UserID, before: MessageID?, limit: Int) async throws
        -> HistoryPage
    {
        try await database.read { db in
            // BEGIN EXERCISE 02.2: Page backwards through the user's index: `limit` messages below `before`, returned oldest first.
            // Ask for one row more than the page: if it comes back, older messages exist.
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT m.* FROM user_message AS um JOIN message AS m ON m.id = um.message_id
                        WHERE um.user_id = ? AND um.conversation_id = ? AND um.message_id < ?
                        ORDER BY um.message_id DESC
                        LIMIT ?
                        """), arguments: [user.rawValue, conversation.rawValue, before?.rawValue ?? Int64.max, limit + 1])
            let newestFirst = try rows.prefix(limit).map(Self.message(from:))
            return HistoryPage(messages: newestFirst.reversed(), hasMore: rows.count > limit)
            // STUB: throw Exercise.notImplemented("02.2", expected: "the newest `limit` messages with id < before from user_message, oldest first, hasMore when older ones exist")
            // END EXERCISE 02.2
        }
    }

    public func messages(for user: UserID, after: MessageID, limit: Int) async throws -> [Message] {
        try await database.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT m.* FROM user_message AS um JOIN message AS m ON m.id = um.message_id
                        WHERE um.user_id = ? AND um.message_id > ?
                        ORDER BY um.message_id
                        LIMIT ?
                        """), arguments: [user.rawValue, after.rawValue, limit]
            ).map(Self.message(from:))
        }
    }

    public func latestMessageID(for user: UserID) async throws -> MessageID {
        try await database.read { db in
            let id = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT MAX(message_id) FROM user_message WHERE user_id = ?"), arguments: [user.rawValue])
            return MessageID(id ?? 0)
        }
    }

    public func recentContacts(of user: UserID, limit: Int) async throws -> [ContactRow] {
        try await database.read { db in try Self.recentContacts(of: user, limit: limit, in: db) }
    }

    /// `user`'s recent contacts, read inside the caller's transaction.
    public static func recentContacts(of user: UserID, limit: Int, in db: Database) throws -> [ContactRow] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT rc.conversation_id AS rc_conversation, rc.peer_id AS rc_peer, rc.unread AS rc_unread, m.*
                    FROM recent_contact AS rc JOIN message AS m ON m.id = rc.last_message_id
                    WHERE rc.user_id = ?
                    ORDER BY rc.last_message_id DESC
                    LIMIT ?
                    """), arguments: [user.rawValue, limit]
        ).map { row in
            ContactRow(
                conversationID: try Self.conversation(row["rc_conversation"]), peerID: UserID(row["rc_peer"]),
                lastMessage: try Self.message(from: row), unread: row["rc_unread"])
        }
    }

    public func markRead(_ conversation: ConversationID, by user: UserID) async throws -> Int {
        try await database.write { db in
            try db.cachedStatement(sql: "UPDATE recent_contact SET unread = 0 WHERE user_id = ? AND conversation_id = ?").execute(
                arguments: [user.rawValue, conversation.rawValue])
            return try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COALESCE(SUM(unread), 0) FROM recent_contact WHERE user_id = ?"),
                arguments: [user.rawValue]) ?? 0
        }
    }

    // MARK: Rows

    private static func index(_ message: Message, owner: UserID, peer: UserID, direction: Int, in db: Database) throws {
        try db.cachedStatement(
            sql: "INSERT INTO user_message (user_id, message_id, conversation_id, peer_id, direction) VALUES (?, ?, ?, ?, ?)"
        ).execute(arguments: [owner.rawValue, message.id.rawValue, message.conversationID.rawValue, peer.rawValue, direction])
    }

    private static func touchContact(_ message: Message, owner: UserID, peer: UserID, addUnread: Int, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO recent_contact (user_id, conversation_id, peer_id, last_message_id, unread)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (user_id, conversation_id)
                DO UPDATE SET last_message_id = excluded.last_message_id, unread = unread + excluded.unread
                """
        ).execute(arguments: [owner.rawValue, message.conversationID.rawValue, peer.rawValue, message.id.rawValue, addUnread])
    }

    /// Reads a `message` row (with `seq` and `prev_seq` when a later lesson added them).
    public static func message(from row: Row) throws -> Message {
        Message(
            id: MessageID(row["id"]), conversationID: try conversation(row["conversation_id"]), from: UserID(row["sender_id"]),
            to: UserID(row["recipient_id"]), clientMsgID: row["client_msg_id"], body: row["body"], sentAt: row["sent_at"],
            seq: row["seq"], prevSeq: row["prev_seq"])
    }

    public static func conversation(_ raw: String) throws -> ConversationID {
        guard let id = ConversationID(rawValue: raw) else { throw IMError(.internal, "stored conversation id \(raw) is invalid") }
        return id
    }
}
