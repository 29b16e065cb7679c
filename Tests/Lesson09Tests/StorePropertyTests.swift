// Lesson 09 tests, part 5: a property test of the finished store against a model of a few
// dictionaries.
//
// Random interleavings of sends, retries, read marks, syncs, reads of history and unread counts,
// and restarts (the store closed and opened again on the same SQLite file) run against `SyncStore`
// and against `StoreModel`; after every step the two must agree, and the run stops at the first step where they do not. The generator is seeded:
// the seed is printed, and `IM_STORE_SEED=<seed> swift test --filter StorePropertyTests` replays a
// failing run step for step.

import Foundation
import GRDB
import IMCore
import IMSequence
import IMStore
import IMSync
import IMTestSupport
import IMUnread
import Testing

@Suite("09 Store against a model")
struct StorePropertyTests {
    /// Steps per seed: enough for several restarts and section jumps, a second or two per seed.
    static let steps = 250

    /// A fixed seed, so that CI always runs one known interleaving, and a fresh one each run
    /// (or the one in IM_STORE_SEED), so that runs add up to many more.
    static let seeds: [UInt64] = {
        if let text = ProcessInfo.processInfo.environment["IM_STORE_SEED"], let seed = UInt64(text) { return [seed] }
        return [0x5EED_0009, UInt64.random(in: 0...UInt64.max)]
    }()

    @Test(
        "random sends, retries, read marks, syncs and restarts: the store always agrees with the model (09.1, 09.2)",
        arguments: seeds)
    func agreesWithModel(seed: UInt64) async throws {
        print("StorePropertyTests: seed \(seed) (replay with IM_STORE_SEED=\(seed))")
        try await withTemporaryDirectory { directory in
            var run = try PropertyRun(seed: seed, path: directory.file("im.sqlite"))
            for step in 0..<Self.steps {
                try await run.step(step)
            }
            try await run.compareEverything(after: "the last step")
            try run.store.base.database.close()
            let kinds = Dictionary(grouping: run.log, by: { String($0.prefix { $0 != " " }) }).mapValues(\.count)
            let summary = kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            print("StorePropertyTests: seed \(seed) ran \(Self.steps) steps: \(summary)")
            #expect(run.model.messages.count > 20 && kinds["restart", default: 0] > 3, "the run did too little to prove much")
        }
    }
}

/// One seeded run: the store under test, the model, and the generator that picks the steps.
private struct PropertyRun {
    let seed: UInt64
    let path: String
    var store: SyncStore
    var model = StoreModel()
    var random: SplitMix64
    /// Steps taken so far, for the failure messages.
    var log: [String] = []
    /// A clock for `sentAt` that only moves forward (entries are kept by age as well as count).
    var clock = Int64(Date().timeIntervalSince1970 * 1000)

    static let users = (1...4).map { UserID(Int64($0)) }

    init(seed: UInt64, path: String) throws {
        self.seed = seed
        self.path = path
        random = SplitMix64(seed: seed)
        store = try Self.open(path)
    }

    /// A small sequence step, so that a restart skips numbers often (as lesson 05 allows).
    static func open(_ path: String) throws -> SyncStore {
        let base = try SQLiteStore(
            configuration: .init(path: path, syncEveryCommit: false, migrations: SyncStore.migrations))
        return SyncStore(
            base: base,
            configuration: .init(sequence: .init(step: 7), retention: .init(maxEntries: 1_000_000, evictionInterval: 8)))
    }

    /// Where the run is, for every failure message: the seed and the last steps.
    var context: String { "seed \(seed), after: " + log.suffix(6).joined(separator: "; ") }

    mutating func step(_ index: Int) async throws {
        clock += 1
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<35: try await send()
        case 35..<50: try await retry()
        case 50..<62: try await markRead()
        case 62..<80: try await sync()
        case 80..<92: try await compareReads()
        default: try await restart()
        }
    }

    private mutating func pickUser() -> UserID { Self.users.randomElement(using: &random)! }

    private mutating func send() async throws {
        let from = pickUser()
        // Now and then a note to oneself: one member, no unread count.
        let to = Int.random(in: 0..<10, using: &random) == 0 ? from : pickUser()
        let clientMsgID = Bool.random(using: &random) ? "c\(model.messages.count)" : nil
        let outgoing = OutgoingMessage(from: from, to: to, clientMsgID: clientMsgID, body: "m\(model.messages.count)")
        log.append("send \(from)→\(to) \(clientMsgID ?? "-")")
        let stored = try await store.store(outgoing, sentAt: clock)
        try model.expectStored(stored, for: outgoing, context: context)
    }

    /// The same send again, as a client repeats it when the ACK was lost: the first message, no new entries.
    private mutating func retry() async throws {
        guard let original = model.messages.filter({ $0.clientMsgID != nil }).randomElement(using: &random) else { return }
        let outgoing = OutgoingMessage(
            from: original.from, to: original.to, clientMsgID: original.clientMsgID, body: original.body)
        log.append("retry \(original.id)")
        let stored = try await store.store(outgoing, sentAt: clock)
        try model.expectStored(stored, for: outgoing, context: context)
    }

    private mutating func markRead() async throws {
        let user = pickUser()
        let conversation = ConversationID.direct(user, pickUser())
        let lastSeq = model.lastSeq[conversation] ?? 0
        let upTo: Int64? = Bool.random(using: &random) ? nil : Int64.random(in: 0...(lastSeq + 3), using: &random)
        log.append("read \(conversation) by \(user) up to \(upTo.map(String.init) ?? "all")")
        let (receipt, entry) = try await store.markRead(conversation, by: user, upTo: upTo)
        let expected = model.markRead(conversation, by: user, upTo: upTo)
        try #require(receipt == expected, "\(context): the receipt")
        try #require(entry.read == expected && entry.kind == .read, "\(context): the read entry carries the receipt")
        try model.expectNewEntry(entry, for: user, context: context)
    }

    /// A device syncs from where it may be: the start, a version it saw, the head, a number it
    /// never saw (inside a gap a restart left, or beyond the head).
    private mutating func sync() async throws {
        let user = pickUser()
        let versions = model.timelines[user, default: []].map(\.version)
        let head = versions.last ?? 0
        let after: Int64 =
            switch Int.random(in: 0..<5, using: &random) {
            case 0: 0
            case 1: head
            case 2: head + Int64.random(in: 1...3, using: &random)
            case 3: Int64.random(in: 0...max(head, 1), using: &random)
            default: versions.randomElement(using: &random) ?? 0
            }
        let limit = Int.random(in: 1...6, using: &random)
        log.append("sync \(user) after \(after) limit \(limit)")
        let page = try await store.timeline(of: user, after: after, limit: limit)
        let expected = model.page(of: user, after: after, limit: limit)
        try #require(page.head == expected.head, "\(context): the head")
        try #require((page.resetReason != nil) == expected.reset, "\(context): reset or not")
        try #require(page.hasMore == expected.hasMore, "\(context): hasMore")
        try #require(page.entries.map(\.version) == expected.entries.map(\.version), "\(context): the versions of the page")
        try #require(page.entries == expected.entries, "\(context): the entries of the page")
    }

    private mutating func compareReads() async throws {
        log.append("compare")
        try await compareEverything(after: "a step")
    }

    /// Close the store and open it again on the same file: everything committed must be there,
    /// and numbering must go on above every number issued before.
    private mutating func restart() async throws {
        log.append("restart")
        try store.base.database.close()
        store = try Self.open(path)
        try await compareEverything(after: "a restart")
    }

    /// Every user's history, unread counts and head, as the model has them.
    func compareEverything(after moment: String) async throws {
        for user in Self.users {
            try #require(try await store.headVersion(of: user) == model.timelines[user]?.last?.version ?? 0, "\(context): head")
            let unread = try await store.unread(of: user)
            try #require(unread.byConversation == model.unreadCounts(of: user), "\(context): unread of \(user) after \(moment)")
            try #require(unread.total == unread.sumOfParts, "\(context): the total of \(user) is the sum of its parts")
            let all = try await store.messages(for: user, after: .zero, limit: 10_000)
            try #require(all == model.messages(for: user), "\(context): messages of \(user) after \(moment)")
            for peer in Self.users where peer >= user {
                let conversation = ConversationID.direct(user, peer)
                let history = try await store.history(of: conversation, for: user, before: nil, limit: 10_000)
                try #require(
                    history.messages == model.messages.filter { $0.conversationID == conversation },
                    "\(context): history of \(conversation) after \(moment)")
            }
        }
    }
}

/// What the store should hold, kept in plain dictionaries.
private struct StoreModel {
    /// Every message stored, in the order stored (so in id order).
    var messages: [Message] = []
    /// The newest seq of each conversation.
    var lastSeq: [ConversationID: Int64] = [:]
    /// Each user's timeline, oldest first.
    var timelines: [UserID: [TimelineEntry]] = [:]
    /// The seqs each user has not read yet, per conversation.
    var unread: [UserID: [ConversationID: Set<Int64>]] = [:]
    var readWatermark: [UserID: [ConversationID: Int64]] = [:]

    /// Checks what a send or retry returned, and records it.
    mutating func expectStored(_ stored: StoredMessage, for outgoing: OutgoingMessage, context: String) throws {
        if let clientMsgID = outgoing.clientMsgID,
            let original = messages.first(where: { $0.from == outgoing.from && $0.clientMsgID == clientMsgID })
        {
            try #require(stored.isRepeat && stored.entries.isEmpty, "\(context): a retry writes nothing")
            try #require(stored.message == original, "\(context): a retry is answered with the first message")
            return
        }
        let message = stored.message
        let conversation = outgoing.conversationID
        let previous = lastSeq[conversation] ?? 0
        try #require(!stored.isRepeat, "\(context): a new send is not a repeat")
        try #require(
            message.from == outgoing.from && message.to == outgoing.to && message.body == outgoing.body
                && message.clientMsgID == outgoing.clientMsgID && message.conversationID == conversation,
            "\(context): the message stored is the one sent")
        try #require(message.id > (messages.last?.id ?? .zero), "\(context): message ids grow")
        let seq = try #require(message.seq, "\(context): a stored message has a seq")
        try #require(seq > previous && message.prevSeq == previous, "\(context): seq grows and links to the previous one")
        messages.append(message)
        lastSeq[conversation] = seq
        if outgoing.to != outgoing.from {
            unread[outgoing.to, default: [:]][conversation, default: []].insert(seq)
        }
        let members = Set([outgoing.from, outgoing.to])
        try #require(Set(stored.entries.keys) == members, "\(context): one entry per member")
        for member in members.sorted() {
            guard let entry = stored.entries[member] else { continue }
            try #require(entry.kind == .message && entry.message == message, "\(context): the entry carries the message")
            try expectNewEntry(entry, for: member, context: context)
        }
    }

    /// A new entry takes a version above the head and links to it.
    mutating func expectNewEntry(_ entry: TimelineEntry, for user: UserID, context: String) throws {
        let head = timelines[user]?.last?.version ?? 0
        try #require(
            entry.version > head && entry.prevVersion == head, "\(context): entry \(entry.version) of \(user) after \(head)")
        timelines[user, default: []].append(entry)
    }

    /// Marks read and returns the receipt the store should give.
    mutating func markRead(_ conversation: ConversationID, by user: UserID, upTo: Int64?) -> ReadReceipt {
        let last = lastSeq[conversation] ?? 0
        // Read up to `upTo` (everything without it): only later seqs stay unread.
        unread[user, default: [:]][conversation] = unread[user]?[conversation]?.filter { seq in upTo.map { seq > $0 } ?? false }
        let watermark = max(readWatermark[user]?[conversation] ?? min(upTo ?? last, last), min(upTo ?? last, last))
        readWatermark[user, default: [:]][conversation] = watermark
        return ReadReceipt(
            conversationID: conversation, unread: unread[user]?[conversation]?.count ?? 0,
            totalUnread: unreadCounts(of: user).values.reduce(0, +), readSeq: watermark)
    }

    /// Conversations with something unread, and how much (the store lists no zeros).
    func unreadCounts(of user: UserID) -> [ConversationID: Int] {
        (unread[user] ?? [:]).compactMapValues { $0.isEmpty ? nil : $0.count }
    }

    func messages(for user: UserID) -> [Message] {
        messages.filter { $0.from == user || $0.to == user }
    }

    /// Lesson 09's rules: nothing at the head; a reset beyond it, or when the entry after
    /// `after` does not link back to it; otherwise up to `limit` entries.
    func page(of user: UserID, after: Int64, limit: Int) -> (entries: [TimelineEntry], hasMore: Bool, head: Int64, reset: Bool) {
        let timeline = timelines[user] ?? []
        let head = timeline.last?.version ?? 0
        if after == head { return ([], false, head, false) }
        let rest = timeline.filter { $0.version > after }
        guard after < head, let first = rest.first, first.prevVersion == after else { return ([], false, head, true) }
        return (Array(rest.prefix(limit)), rest.count > limit, head, false)
    }
}
