// Lesson 09: one transaction per send — exactly once, numbered, counted, on every timeline.
//
// This is where lessons 04, 05, 07 and 09 meet. Storing a message is ONE SQLite transaction:
//   1. a retry (same sender, same client message id) finds the stored message: same ACK, no push
//   2. the message gets the next seq of its conversation (lesson 05) and links to the previous
//   3. the recipient's unread set and counters grow by one (lesson 07)
//   4. sender and recipient each get a timeline entry with their next version (lesson 09)
// The server ACKs only after the commit, so an ACK means all four are durable together.

import GRDB
import IMCore
import IMDelivery
import IMSequence
import IMStore
import IMUnread

/// The finished server's store: lesson 02's `SQLiteStore` plus sequence, unread and timelines.
public final class SyncStore: TimelineStore {
    public struct Configuration: Sendable {
        public var sequence: SequenceAllocator.Configuration
        public var retention: TimelineRetention
        /// The most sends or read marks committed in one transaction (group commit); 1 turns it off.
        public var maximumBatch: Int
        /// Whether steady traffic makes a commit wait a moment for more sends. Off by default: it
        /// saves CPU at moderate rates but adds about its delay to every ACK (BENCHMARKS.md, 10).
        public var linger: CommitLinger
        public init(
            sequence: SequenceAllocator.Configuration = .init(), retention: TimelineRetention = .init(),
            maximumBatch: Int = 256, linger: CommitLinger = .off
        ) {
            self.sequence = sequence
            self.retention = retention
            self.maximumBatch = maximumBatch
            self.linger = linger
        }
    }

    /// The schema this store adds to `SQLiteStore`'s; pass it in `SQLiteStore.Configuration.migrations`.
    public static let migrations: [StoreMigration] = [
        StoreMigration("v2: seq, unread, timeline") { db in
            try db.execute(
                sql: """
                    ALTER TABLE message ADD COLUMN seq INTEGER;
                    ALTER TABLE message ADD COLUMN prev_seq INTEGER;
                    CREATE INDEX message_by_conversation_seq ON message(conversation_id, seq);
                    CREATE INDEX message_by_client_id ON message(sender_id, client_msg_id);
                    """)
            try SequenceSections.createTable(db)
            try UnreadLedger.createTables(db)
            try Timeline.createTables(db)
        },
        // Lesson 07: the read watermark of receipts, and the lease and fence tables of the unread
        // repair (UnreadLedger.writeRepairedCounts).
        StoreMigration("v3: read watermarks, leases and fences") { db in
            try UnreadLedger.createWatermarkTable(db)
            try LeaseLock.createTables(db)
        },
    ]

    public let base: SQLiteStore
    public let configuration: Configuration
    let sequence: PersistentSequence
    /// Group commit: concurrent sends and read marks share transactions (see WriteBatcher).
    let batcher: WriteBatcher

    public init(base: SQLiteStore, configuration: Configuration = Configuration()) {
        self.base = base
        self.configuration = configuration
        sequence = PersistentSequence(configuration: configuration.sequence)
        batcher = WriteBatcher(
            writer: base.database, maximumBatch: configuration.maximumBatch, linger: configuration.linger)
    }

    // MARK: TimelineStore

    public func store(_ outgoing: OutgoingMessage, sentAt: Int64) async throws -> StoredMessage {
        let members = outgoing.from == outgoing.to ? [outgoing.from] : [outgoing.from, outgoing.to]
        try await sequence.prepare(
            [Self.conversationKey(outgoing.conversationID)] + members.map(Self.timelineKey), writer: base.database)
        return try await withSections { db in try self.store(outgoing, sentAt: sentAt, in: db) }
    }

    public func markRead(_ conversation: ConversationID, by user: UserID, upTo seq: Int64?) async throws
        -> (receipt: ReadReceipt, entry: TimelineEntry)
    {
        try await sequence.prepare([Self.timelineKey(user)], writer: base.database)
        return try await withSections { db in
            let version = try self.sequence.next(for: Self.timelineKey(user))
            let (unread, total) = try UnreadLedger.markRead(for: user, in: conversation, upTo: seq, db)
            // The receipt carries the read watermark: at most the conversation's last seq (a
            // claim beyond it would mark messages read before they exist), and never lower than before.
            let lastSeq = try Self.lastSeq(of: conversation, db)
            let readSeq = try UnreadLedger.advanceReadWatermark(
                for: user, in: conversation, to: min(seq ?? lastSeq, lastSeq), db)
            let receipt = ReadReceipt(conversationID: conversation, unread: unread, totalUnread: total, readSeq: readSeq)
            let now = currentMilliseconds()
            let entry = try Timeline.appendRead(receipt, for: user, version: version, createdAt: now, db)
            try Timeline.evictIfDue(user, version: version, retention: self.configuration.retention, now: now, db)
            return (receipt, entry)
        }
    }

    public func timeline(of user: UserID, after version: Int64, limit: Int) async throws -> TimelinePage {
        try await base.database.read { db in try Timeline.page(of: user, after: version, limit: limit, db) }
    }

    public func headVersion(of user: UserID) async throws -> Int64 {
        try await base.database.read { db in try Timeline.head(of: user, db) }
    }

    public func messages(
        in conversation: ConversationID, for user: UserID, seqAfter after: Int64, through: Int64, limit: Int
    ) async throws -> [Message] {
        try await base.database.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT m.* FROM user_message AS um JOIN message AS m ON m.id = um.message_id
                        WHERE um.user_id = ? AND um.conversation_id = ? AND m.seq > ? AND m.seq <= ?
                        ORDER BY m.seq
                        LIMIT ?
                        """), arguments: [user.rawValue, conversation.rawValue, after, through, limit]
            ).map(SQLiteStore.message(from:))
        }
    }

    /// `user`'s unread counts from one snapshot.
    public func unread(of user: UserID) async throws -> UnreadSummary {
        try await base.database.read { db in try UnreadLedger.summary(of: user, db) }
    }

    // MARK: MessageStore (lesson 02's reads, with lesson 07's counts)

    public func append(_ message: OutgoingMessage, sentAt: Int64) async throws -> Message {
        try await store(message, sentAt: sentAt).message
    }

    public func history(of conversation: ConversationID, for user: UserID, before: MessageID?, limit: Int) async throws
        -> HistoryPage
    {
        try await base.history(of: conversation, for: user, before: before, limit: limit)
    }

    public func messages(for user: UserID, after: MessageID, limit: Int) async throws -> [Message] {
        try await base.messages(for: user, after: after, limit: limit)
    }

    public func latestMessageID(for user: UserID) async throws -> MessageID {
        try await base.latestMessageID(for: user)
    }

    public func recentContacts(of user: UserID, limit: Int) async throws -> [ContactRow] {
        // One snapshot: the last message shown and its badge come from the same moment.
        let (rows, counts) = try await base.database.read { db in
            (
                try SQLiteStore.recentContacts(of: user, limit: limit, in: db),
                try UnreadLedger.summary(of: user, db).byConversation
            )
        }
        return rows.map {
            ContactRow(
                conversationID: $0.conversationID, peerID: $0.peerID, lastMessage: $0.lastMessage,
                unread: counts[$0.conversationID] ?? 0)
        }
    }

    // MARK: The send transaction

    func store(_ outgoing: OutgoingMessage, sentAt: Int64, in db: Database) throws -> StoredMessage {
        // Lesson 04: a retry of a send already stored is answered with that message and writes nothing.
        if let stored = try SendDeduplication.storedMessage(from: outgoing.from, clientMsgID: outgoing.clientMsgID, db) {
            return StoredMessage(message: stored, entries: [:], isRepeat: true)
        }
        let conversation = outgoing.conversationID
        let members = outgoing.from == outgoing.to ? [outgoing.from] : [outgoing.from, outgoing.to]
        // Take every number first: if a section is used up, nothing has been written yet.
        let seq = try sequence.next(for: Self.conversationKey(conversation))
        let versions = try members.map { try sequence.next(for: Self.timelineKey($0)) }

        let previousSeq = try Self.lastSeq(of: conversation, db)
        let message = try SQLiteStore.insert(outgoing, sentAt: sentAt, in: db).numbered(seq: seq, prevSeq: previousSeq)
        try db.cachedStatement(sql: "UPDATE message SET seq = ?, prev_seq = ? WHERE id = ?").execute(arguments: [
            seq, previousSeq, message.id.rawValue,
        ])
        if outgoing.to != outgoing.from {
            try UnreadLedger.recordIncoming(for: outgoing.to, in: conversation, seq: seq, db)
        }
        var entries: [UserID: TimelineEntry] = [:]
        for (member, version) in zip(members, versions) {
            entries[member] = try Timeline.appendMessage(message, for: member, version: version, createdAt: sentAt, db)
            try Timeline.evictIfDue(member, version: version, retention: configuration.retention, now: sentAt, db)
        }
        return StoredMessage(message: message, entries: entries, isRepeat: false)
    }

    /// Runs `body` in a write transaction; when a sequence section is used up, persists the next
    /// section in a transaction of its own, then runs `body` again.
    private func withSections<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        // A send takes up to three numbers (seq and two versions), so three sections at most.
        for _ in 0..<4 {
            do {
                return try await batcher.write(body)
            } catch let exhausted as PersistentSequence.SectionExhausted {
                try await sequence.reserve(for: exhausted.key, writer: base.database)
            }
        }
        throw IMError(.internal, "the sequence allocator did not issue a number after reserving sections")
    }

    static func lastSeq(of conversation: ConversationID, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(
                sql: "SELECT seq FROM message WHERE conversation_id = ? AND seq IS NOT NULL ORDER BY seq DESC LIMIT 1"),
            arguments: [conversation.rawValue]) ?? 0
    }

    static func conversationKey(_ conversation: ConversationID) -> String { "conversation:\(conversation.rawValue)" }
    static func timelineKey(_ user: UserID) -> String { "timeline:\(user.rawValue)" }
}
