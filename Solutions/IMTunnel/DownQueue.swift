// Lesson 13: the downstream half of a tunnel — numbered frames kept until the client has them.
//
// On a WebSocket a frame is written once and TCP carries it. Over plain HTTP each batch of
// frames travels in the response to a poll, and a response can be lost (a proxy times out, the
// phone changes network) after the server wrote it. So every frame gets a tunnel sequence
// number, and stays here until a later poll says `after=N`: "I have everything up to N". A
// poll that repeats an old `after` gets the same frames again. Nothing is lost, and the client
// drops what it has already seen by number.
//
// This is the pure state machine: no clock, no I/O.

import CourseSupport

/// The frames of one tunnel session that the client has not acknowledged yet.
public struct DownQueue<Frame: Sendable>: Sendable {
    /// One frame with its tunnel sequence number.
    public struct Item: Sendable {
        public let seq: UInt64
        public let frame: Frame
    }

    /// Most frames kept; `append` refuses more.
    public let capacity: Int
    /// Frames not acknowledged, oldest first (seq ascending, no gaps).
    private var items: [Item] = []
    /// The number of the last frame appended (0 before the first).
    public private(set) var lastSeq: UInt64 = 0
    /// Everything up to here was acknowledged and dropped.
    public private(set) var acknowledged: UInt64 = 0

    public init(capacity: Int = 2_000) {
        self.capacity = max(1, capacity)
    }

    /// How many frames wait for an acknowledgement.
    public var count: Int { items.count }

    /// Numbers the frame (1, 2, 3, … per session) and keeps it. Returns nil when the queue is
    /// full: the client stopped acknowledging, and the session should end.
    public mutating func append(_ frame: Frame) -> UInt64? {
        guard items.count < capacity else { return nil }
        lastSeq += 1
        items.append(Item(seq: lastSeq, frame: frame))
        return lastSeq
    }

    /// Answers a poll that says `after`: drops every frame numbered up to `after` (the client has
    /// them), then returns the oldest `limit` frames still kept, in order.
    ///
    /// An `after` below what was already acknowledged (a repeated old poll) drops nothing; one
    /// above `lastSeq` acknowledges only what was actually sent.
    public mutating func take(after: UInt64, limit: Int) -> [Item] {
        // BEGIN EXERCISE 13.1: Drop the frames numbered ≤ after (never beyond lastSeq), then return the first `limit` of the rest in order.
        let upTo = min(after, lastSeq)
        if upTo > acknowledged {
            items.removeFirst(Int(upTo - acknowledged))
            acknowledged = upTo
        }
        return Array(items.prefix(max(0, limit)))
        // STUB: _ = Exercise.notImplemented("13.1", expected: "frames numbered ≤ after dropped (an old after drops nothing, one beyond lastSeq only what was sent), then the oldest `limit` of the rest in seq order")
        // STUB: return []
        // END EXERCISE 13.1
    }
}
