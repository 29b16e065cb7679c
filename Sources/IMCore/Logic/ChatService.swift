// LESSON 01 STARTER, generated from Solutions/IMCore/Logic/ChatService.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 01: the logic layer of the IM.
//
// Gateways (lesson 03) parse frames and requests, then call this service with an authenticated
// user. Every rule about who may do what lives here, once, whatever the transport.

import CourseSupport
import Foundation

/// Limits the logic layer enforces on what clients send. The defaults are the documented ones.
public struct ChatLimits: Sendable, Hashable {
    public var maxBodyCharacters = 4_000
    public var maxClientMsgIDLength = 64
    public var defaultHistoryPage = 50
    public var maxHistoryPage = 100
    public var maxPollBatch = 500
    public var maxContacts = 200
    public var maxSyncPage = 200

    public init() {}
}

/// Sending, reading history, recent contacts, read marks, sync and polling, for an authenticated user.
///
/// One delivery contract serves every lesson: the store keeps each user's timeline (lesson 01's
/// `InMemoryStore`, lesson 09's `SyncStore`), and the pusher hands each new entry to the devices
/// of its user (lesson 01's `InMemoryRelay`, lesson 03's gateway). The push is only a hint; what
/// a device missed, it reads back from the timeline with `sync`.
public struct ChatService: Sendable {
    public let store: any TimelineStore
    public let accounts: any AccountStore
    public let pusher: any TimelinePusher
    public let limits: ChatLimits
    /// The current time in milliseconds since 1970; a parameter so tests can fix it.
    public let now: @Sendable () -> Int64

    public init(
        store: any TimelineStore, accounts: any AccountStore, pusher: any TimelinePusher,
        limits: ChatLimits = ChatLimits(), now: @escaping @Sendable () -> Int64 = { currentMilliseconds() }
    ) {
        self.store = store
        self.accounts = accounts
        self.pusher = pusher
        self.limits = limits
        self.now = now
    }

    /// Sends a one-to-one message from `sender` (who the gateway authenticated).
    ///
    /// The order is the point: check everything first, store, and push only what was stored, so
    /// that whatever a client was told about (an ack or a push) survives a crash. A retry of a
    /// send already stored (same `clientMsgID`) gets the stored message back and pushes nothing.
    public func send(_ request: SendRequest, from sender: UserID) async throws -> Message {
        // BEGIN EXERCISE 01.2: Refuse a forged sender, a bad request or an unknown recipient; store once; push each member's new entry (nothing for a retry).
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 01
        throw Exercise.notImplemented("01.2", expected: "bad or forged requests refused, the message stored once, each member's new entry pushed (none for a retry)")
        // END EXERCISE 01.2
    }

    /// A page of `conversation`'s history, for one of its members.
    public func history(of conversation: ConversationID, for user: UserID, before: MessageID?, limit: Int?) async throws
        -> HistoryPage
    {
        try requireMember(user, of: conversation)
        let size = min(try Self.pageSize(limit, default: limits.defaultHistoryPage), limits.maxHistoryPage)
        return try await store.history(of: conversation, for: user, before: before, limit: size)
    }

    /// `user`'s recent contacts with unread counts, newest first, and the total unread.
    public func contacts(of user: UserID) async throws -> (contacts: [RecentContact], totalUnread: Int) {
        let rows = try await store.recentContacts(of: user, limit: limits.maxContacts)
        let peers = try await accounts.users(rows.map(\.peerID))
        let contacts = rows.compactMap { row -> RecentContact? in
            guard let peer = peers[row.peerID] else { return nil }
            return RecentContact(conversationID: row.conversationID, peer: peer, lastMessage: row.lastMessage, unread: row.unread)
        }
        return (contacts, contacts.reduce(0) { $0 + $1.unread })
    }

    /// Marks `conversation` read for `user` up to `seq` (everything when nil); every device of
    /// the user is told through its timeline.
    public func markRead(_ conversation: ConversationID, by user: UserID, upTo seq: Int64? = nil) async throws
        -> ReadReceipt
    {
        try requireMember(user, of: conversation)
        // A read mark for a conversation with a user who does not exist would still add a `read`
        // entry to every device's timeline and use up the offline store: refuse it first.
        for member in conversation.members where member != user {
            guard try await accounts.userExists(member) else {
                throw IMError.notFound("conversation \(conversation) does not exist: user \(member.rawValue) does not exist")
            }
        }
        let (receipt, entry) = try await store.markRead(conversation, by: user, upTo: seq)
        await pusher.push(entry, to: user)
        return receipt
    }

    /// The messages in `user`'s index newer than `after` (what a polling client asks for).
    public func poll(for user: UserID, after: MessageID) async throws -> [Message] {
        try await store.messages(for: user, after: after, limit: limits.maxPollBatch)
    }

    // MARK: Catching up (lessons 05 and 09)

    /// The entries of `user`'s timeline after `version`; a reset with recent contacts when the
    /// entries needed were evicted from the capped offline store.
    public func sync(for user: UserID, after version: Int64, limit: Int?) async throws -> SyncPage {
        guard version >= 0 else { throw IMError.invalidArgument("`after` must be 0 or a version the server sent") }
        let size = min(try Self.pageSize(limit, default: limits.maxSyncPage), limits.maxSyncPage)
        let page = try await store.timeline(of: user, after: version, limit: size)
        guard let reason = page.resetReason else {
            return SyncPage(entries: page.entries, hasMore: page.hasMore, head: page.head)
        }
        let (contacts, total) = try await contacts(of: user)
        return SyncPage(
            entries: [], hasMore: false, head: page.head,
            reset: SyncReset(reason: reason, contacts: contacts, totalUnread: total))
    }

    /// The messages of `conversation` numbered above `after` up to `through` (a gap to fill).
    public func messages(in conversation: ConversationID, for user: UserID, seqAfter after: Int64, through: Int64)
        async throws -> [Message]
    {
        try requireMember(user, of: conversation)
        guard after >= 0, through >= after else { throw IMError.invalidArgument("need 0 <= afterSeq <= throughSeq") }
        return try await store.messages(
            in: conversation, for: user, seqAfter: after, through: through, limit: limits.maxHistoryPage)
    }

    // MARK: Rules

    /// A page size a client asked for: at least 1 (0 or less is `invalid_argument`, the same over
    /// HTTP and WebSocket); above the maximum it is clamped by the caller.
    static func pageSize(_ limit: Int?, default: Int) throws -> Int {
        guard let limit else { return `default` }
        guard limit >= 1 else { throw IMError.invalidArgument("`limit` must be 1 or more; got \(limit)") }
        return limit
    }

    func requireMember(_ user: UserID, of conversation: ConversationID) throws {
        guard conversation.hasMember(user) else {
            throw IMError.forbidden("you are not a member of conversation \(conversation)")
        }
    }

    /// Refuses a body or client message id outside the limits (lesson 20's group sends use it too).
    public func validate(body: String, clientMsgID: String?) throws {
        // U+0000 is refused, not stored: SQLite's C strings end at it, so what we would store and
        // acknowledge is not what a later read gives back. Every other code point round-trips.
        if body.unicodeScalars.contains("\u{0}") {
            throw IMError.invalidArgument("message body contains U+0000 (NUL), which is not allowed")
        }
        if body.allSatisfy(\.isWhitespace) { throw IMError.invalidArgument("message body is empty") }
        if body.count > limits.maxBodyCharacters {
            throw IMError.invalidArgument("message body has \(body.count) characters; the limit is \(limits.maxBodyCharacters)")
        }
        if let clientMsgID, clientMsgID.isEmpty || clientMsgID.utf8.count > limits.maxClientMsgIDLength {
            throw IMError.invalidArgument("clientMsgID must have 1 to \(limits.maxClientMsgIDLength) bytes")
        }
        if let clientMsgID, clientMsgID.unicodeScalars.contains("\u{0}") {
            throw IMError.invalidArgument("clientMsgID contains U+0000 (NUL), which is not allowed")
        }
    }
}

/// Milliseconds since 1970 UTC.
public func currentMilliseconds() -> Int64 {
    Int64((ContinuousClock.now - epochAnchor.instant) / .milliseconds(1)) + epochAnchor.milliseconds
}

/// Wall-clock time read once, then advanced by the monotonic clock, so message times never go back.
private let epochAnchor = (instant: ContinuousClock.now, milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
