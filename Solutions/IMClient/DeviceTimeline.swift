// A device's local copy of its user's timeline (lessons 05 and 09), without I/O.
//
// Entries arrive from pushes and from `sync` pages, in any order and possibly twice. The
// reorder buffer (lesson 05) releases them in version order; what is released is applied once.
// The counters are what a test or a fault-injection run checks: they must stay zero.

import IMCore
import IMSequence

/// What one device knows: messages per conversation, read marks, and its timeline position.
public struct DeviceTimeline: Sendable {
    private var buffer: ReorderBuffer<TimelineEntry>
    /// Messages by id, as applied.
    public private(set) var messages: [MessageID: Message] = [:]
    /// Each conversation's messages in the order applied (must be seq order).
    public private(set) var conversations: [ConversationID: [Message]] = [:]
    /// The newest read mark of each conversation.
    public private(set) var readMarks: [ConversationID: ReadReceipt] = [:]
    /// A message released a second time (the server stored or numbered it twice).
    public private(set) var duplicates = 0
    /// A message released with a seq not above the one before it in its conversation.
    public private(set) var outOfOrder = 0
    /// A message whose `prevSeq` is not the seq of the message applied before it.
    public private(set) var brokenLinks = 0
    /// How many times the device had to start over from a reset.
    public private(set) var resets = 0

    public init(after version: Int64 = 0) {
        buffer = ReorderBuffer(after: version)
    }

    /// The version up to which every entry has been applied.
    public var version: Int64 { buffer.position }

    /// The stretch of versions missing behind entries that wait, if any.
    public var gap: ReorderBuffer<TimelineEntry>.Gap? { buffer.gap }

    /// Receives an entry (push or sync page); applies whatever can now be applied in order.
    public mutating func receive(_ entry: TimelineEntry) {
        for released in buffer.offer(entry, at: entry.version, after: entry.prevVersion) {
            apply(released)
        }
    }

    /// Starts over after a reset: what is known stays, the position jumps to `head`, and the
    /// conversation chains restart (history fetched later is merged by seq, not by link).
    public mutating func reset(to head: Int64) {
        resets += 1
        for entry in buffer.skip(to: head) { apply(entry) }
        chainBroken = true
    }

    /// After a reset, a missing link is expected, not a fault.
    private var chainBroken = false
    /// Messages taken from history after a reset; the same message may still arrive as an entry.
    private var merged: Set<MessageID> = []

    /// Adds messages fetched by history (after a reset), in seq order, skipping known ones.
    public mutating func merge(history: [Message]) {
        for message in history.sorted(by: { ($0.seq ?? 0) < ($1.seq ?? 0) }) where messages[message.id] == nil {
            messages[message.id] = message
            merged.insert(message.id)
            var list = conversations[message.conversationID, default: []]
            list.append(message)
            list.sort { ($0.seq ?? 0) < ($1.seq ?? 0) }
            conversations[message.conversationID] = list
        }
    }

    /// Incoming messages of `conversation` for `user` not covered by the newest read mark.
    public func unread(in conversation: ConversationID, for user: UserID) -> Int {
        let readSeq = readMarks[conversation]?.readSeq ?? 0
        return conversations[conversation, default: []].filter { $0.to == user && $0.from != user && ($0.seq ?? 0) > readSeq }
            .count
    }

    private mutating func apply(_ entry: TimelineEntry) {
        if let message = entry.message {
            guard messages[message.id] == nil else {
                if merged.remove(message.id) == nil { duplicates += 1 }
                return
            }
            messages[message.id] = message
            let previous = conversations[message.conversationID]?.last
            if let previous, let seq = message.seq, let previousSeq = previous.seq, seq <= previousSeq { outOfOrder += 1 }
            if !chainBroken, let prevSeq = message.prevSeq, prevSeq != (previous?.seq ?? 0) { brokenLinks += 1 }
            conversations[message.conversationID, default: []].append(message)
        } else if let read = entry.read {
            if (read.readSeq ?? 0) >= (readMarks[read.conversationID]?.readSeq ?? 0) { readMarks[read.conversationID] = read }
        }
    }
}
