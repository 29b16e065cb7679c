// LESSON 01 STARTER, generated from Solutions/IMCore/Logic/InMemoryStore.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 01: a store that keeps everything in memory.
//
// It behaves like the SQLite store of lesson 02 (same protocol, same rules) but forgets on
// restart. Lesson 01 and unit tests use it; the question "must the server store messages at all?"
// is answered by what this store loses.

/// Messages, index, contacts, accounts and sessions in memory, behind one actor.
public actor InMemoryStore: MessageStore, AccountStore {
    private var messagesByID: [MessageID: Message] = [:]
    private var index: [UserID: [MessageID]] = [:]
    private var contacts: [UserID: [ConversationID: (peer: UserID, last: MessageID, unread: Int)]] = [:]
    private var accounts: [UserID: Account] = [:]
    private var idsByUsername: [String: UserID] = [:]
    private var sessions: [[UInt8]: Session] = [:]
    private var lastMessageID: Int64 = 0
    private var lastUserID: Int64 = 0

    public init() {}

    // MARK: MessageStore

    public func append(_ outgoing: OutgoingMessage, sentAt: Int64) -> Message {
        lastMessageID += 1
        let message = Message(
            id: MessageID(lastMessageID), conversationID: outgoing.conversationID, from: outgoing.from, to: outgoing.to,
            clientMsgID: outgoing.clientMsgID, body: outgoing.body, sentAt: sentAt)
        messagesByID[message.id] = message
        index[message.from, default: []].append(message.id)
        if message.to != message.from { index[message.to, default: []].append(message.id) }
        let unreadBefore = contacts[message.to]?[message.conversationID]?.unread ?? 0
        contacts[message.from, default: [:]][message.conversationID] = (
            message.to, message.id, contacts[message.from]?[message.conversationID]?.unread ?? 0
        )
        if message.to != message.from {
            contacts[message.to, default: [:]][message.conversationID] = (message.from, message.id, unreadBefore + 1)
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
                    ContactRow(conversationID: conversation, peerID: entry.peer, lastMessage: $0, unread: entry.unread)
                }
            }
            .sorted { $0.lastMessage.id > $1.lastMessage.id }
            .prefix(limit)
            .map { $0 }
    }

    public func markRead(_ conversation: ConversationID, by user: UserID) -> Int {
        contacts[user]?[conversation]?.unread = 0
        return (contacts[user] ?? [:]).values.reduce(0) { $0 + $1.unread }
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
