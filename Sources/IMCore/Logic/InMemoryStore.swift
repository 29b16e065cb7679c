// LESSON 01 STARTER, generated from Solutions/IMCore/Logic/InMemoryStore.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 01: a store that keeps everything in memory.
//
// It keeps the same rules as the durable stores of lessons 02 and 09 (one protocol, one
// contract: a retry is stored once, each conversation is numbered, each member gets a timeline
// entry) but forgets on restart. Lesson 01 and unit tests use it; the question "must the server
// store messages at all?" is answered by what this store loses.

/// Messages, index, contacts, timelines, accounts and sessions in memory, behind one actor.
public actor InMemoryStore: TimelineStore, AccountStore {
    private var messagesByID: [MessageID: Message] = [:]
    /// Each user's messages (sent or received), in id order.
    private var index: [UserID: [MessageID]] = [:]
    /// Each user's conversations: the peer and the newest message.
    private var contacts: [UserID: [ConversationID: (peer: UserID, last: MessageID)]] = [:]
    private var lastSeq: [ConversationID: Int64] = [:]
    /// How far each user has read each conversation (a watermark: it never goes back).
    private var readSeq: [UserID: [ConversationID: Int64]] = [:]
    /// The message each sender stored under each client message id (a retry finds it here).
    private var sentByClientID: [UserID: [String: MessageID]] = [:]
    private var timelines: [UserID: [TimelineEntry]] = [:]
    private var accounts: [UserID: Account] = [:]
    private var idsByUsername: [String: UserID] = [:]
    private var sessions: [[UInt8]: Session] = [:]
    private var lastMessageID: Int64 = 0
    private var lastUserID: Int64 = 0

    public init() {}

    // MARK: TimelineStore

    public func store(_ outgoing: OutgoingMessage, sentAt: Int64) -> StoredMessage {
        if let clientMsgID = outgoing.clientMsgID, let id = sentByClientID[outgoing.from]?[clientMsgID],
            let stored = messagesByID[id]
        {
            return StoredMessage(message: stored, entries: [:], isRepeat: true)
        }
        let message = append(outgoing, sentAt: sentAt)
        if let clientMsgID = outgoing.clientMsgID { sentByClientID[outgoing.from, default: [:]][clientMsgID] = message.id }
        var entries: [UserID: TimelineEntry] = [:]
        for member in Set([message.from, message.to]) {
            entries[member] = appendEntry(for: member) { TimelineEntry(version: $0, prevVersion: $1, message: message) }
        }
        return StoredMessage(message: message, entries: entries, isRepeat: false)
    }

    public func markRead(_ conversation: ConversationID, by user: UserID, upTo seq: Int64?)
        -> (receipt: ReadReceipt, entry: TimelineEntry)
    {
        let last = lastSeq[conversation] ?? 0
        let watermark = max(readSeq[user]?[conversation] ?? 0, min(seq ?? last, last))
        readSeq[user, default: [:]][conversation] = watermark
        let receipt = ReadReceipt(
            conversationID: conversation, unread: unread(of: user, in: conversation), totalUnread: totalUnread(of: user),
            readSeq: watermark)
        let entry = appendEntry(for: user) { TimelineEntry(version: $0, prevVersion: $1, read: receipt) }
        return (receipt, entry)
    }

    public func timeline(of user: UserID, after version: Int64, limit: Int) -> TimelinePage {
        let head = headVersion(of: user)
        guard version <= head else {
            return TimelinePage(
                entries: [], hasMore: false, head: head,
                resetReason: "version \(version) is ahead of this timeline (head \(head)); it was not issued here")
        }
        // Nothing is evicted here, so versions are 1...head and the page starts at index `version`.
        let rest = (timelines[user] ?? [])[Int(version)...]
        return TimelinePage(entries: Array(rest.prefix(limit)), hasMore: rest.count > limit, head: head)
    }

    public func headVersion(of user: UserID) -> Int64 { timelines[user]?.last?.version ?? 0 }

    public func messages(in conversation: ConversationID, for user: UserID, seqAfter after: Int64, through: Int64, limit: Int)
        -> [Message]
    {
        (index[user] ?? []).lazy.compactMap { self.messagesByID[$0] }
            .filter { $0.conversationID == conversation && ($0.seq ?? 0) > after && ($0.seq ?? 0) <= through }
            .prefix(limit).map { $0 }
    }

    // MARK: MessageStore

    /// Stores and numbers a message, without the retry check or timeline entries of `store`.
    public func append(_ outgoing: OutgoingMessage, sentAt: Int64) -> Message {
        lastMessageID += 1
        let previousSeq = lastSeq[outgoing.conversationID] ?? 0
        let message = Message(
            id: MessageID(lastMessageID), conversationID: outgoing.conversationID, from: outgoing.from, to: outgoing.to,
            clientMsgID: outgoing.clientMsgID, body: outgoing.body, sentAt: sentAt
        ).numbered(seq: previousSeq + 1, prevSeq: previousSeq)
        lastSeq[message.conversationID] = previousSeq + 1
        messagesByID[message.id] = message
        for member in Set([message.from, message.to]) {
            index[member, default: []].append(message.id)
            contacts[member, default: [:]][message.conversationID] = (
                member == message.from ? message.to : message.from, message.id
            )
        }
        return message
    }

    public func history(of conversation: ConversationID, for user: UserID, before: MessageID?, limit: Int) -> HistoryPage {
        let ids = (index[user] ?? []).filter { id in
            messagesByID[id]?.conversationID == conversation && (before.map { id < $0 } ?? true)
        }
        let page = ids.suffix(limit)
        return HistoryPage(messages: page.compactMap { messagesByID[$0] }, hasMore: ids.count > page.count)
    }

    public func messages(for user: UserID, after: MessageID, limit: Int) -> [Message] {
        (index[user] ?? []).filter { $0 > after }.prefix(limit).compactMap { messagesByID[$0] }
    }

    public func latestMessageID(for user: UserID) -> MessageID { index[user]?.last ?? .zero }

    public func recentContacts(of user: UserID, limit: Int) -> [ContactRow] {
        (contacts[user] ?? [:])
            .compactMap { conversation, entry in
                messagesByID[entry.last].map {
                    ContactRow(
                        conversationID: conversation, peerID: entry.peer, lastMessage: $0,
                        unread: unread(of: user, in: conversation))
                }
            }
            .sorted { $0.lastMessage.id > $1.lastMessage.id }
            .prefix(limit)
            .map { $0 }
    }

    // MARK: Timelines and unread

    /// Appends the entry `make(version, prevVersion)` to `user`'s timeline.
    private func appendEntry(for user: UserID, _ make: (Int64, Int64) -> TimelineEntry) -> TimelineEntry {
        let previous = headVersion(of: user)
        let entry = make(previous + 1, previous)
        timelines[user, default: []].append(entry)
        return entry
    }

    /// Messages from the peer in `conversation` above `user`'s read watermark.
    private func unread(of user: UserID, in conversation: ConversationID) -> Int {
        let read = readSeq[user]?[conversation] ?? 0
        return (index[user] ?? []).reduce(0) { count, id in
            guard let message = messagesByID[id], message.conversationID == conversation, message.from != user,
                (message.seq ?? 0) > read
            else { return count }
            return count + 1
        }
    }

    private func totalUnread(of user: UserID) -> Int {
        (contacts[user] ?? [:]).keys.reduce(0) { $0 + unread(of: user, in: $1) }
    }

    // MARK: AccountStore

    public func createAccount(username: String, displayName: String, passwordHash: String) throws -> User {
        guard idsByUsername[username] == nil else { throw IMError(.conflict, "username \(username) is taken") }
        lastUserID += 1
        let user = User(id: UserID(lastUserID), username: username, displayName: displayName)
        accounts[user.id] = Account(user: user, passwordHash: passwordHash)
        idsByUsername[username] = user.id
        return user
    }

    public func account(username: String) -> Account? { idsByUsername[username].flatMap { accounts[$0] } }
    public func user(_ id: UserID) -> User? { accounts[id]?.user }
    public func users(_ ids: [UserID]) -> [UserID: User] {
        Dictionary(uniqueKeysWithValues: Set(ids).compactMap { id in accounts[id].map { (id, $0.user) } })
    }
    public func directory(excluding: UserID, limit: Int) -> [User] {
        accounts.values.map(\.user).filter { $0.id != excluding }.sorted { $0.username < $1.username }.prefix(limit).map { $0 }
    }

    public func createSession(tokenHash: [UInt8], session: Session) { sessions[tokenHash] = session }
    public func session(tokenHash: [UInt8]) -> Session? { sessions[tokenHash] }
    public func deleteSession(tokenHash: [UInt8]) { sessions[tokenHash] = nil }
}
