// LESSON 20 STARTER, generated from Solutions/IMGroup/UnreadAggregator.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 20: the other design — unread counted per member, with the increments merged first.
//
// Write diffusion keeps a counter per (member, conversation) and adds one to it for every
// message. In a 5,000-member group at 10 messages a second that is 50,000 counter updates a
// second, most of them to the same few rows. An aggregator sits in front of the counters: it
// merges the increments of one key in memory ("+1 +1 +1 +1" becomes "+4") and writes them out
// as one batch every second, or as soon as 100 increments are queued, whichever comes first.
//
// This is a pure state machine: the caller feeds it increments and the time, takes batches to
// write, and reports each batch's outcome. A batch that failed to be written is merged back, so
// an increment is never lost; a batch is handed out once and forgotten when written, so an
// increment is never counted twice — even when new increments arrive while a batch is in flight.

import CourseSupport

/// Merges unread increments per key and decides when to flush them.
public struct UnreadAggregator<Key: Hashable & Sendable>: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// A queued increment waits at most this long before a flush is due.
        public var flushInterval: Duration
        /// A flush is due as soon as this many increments are queued (before merging).
        public var maxQueued: Int

        public init(flushInterval: Duration = .seconds(1), maxQueued: Int = 100) {
            self.flushInterval = flushInterval
            self.maxQueued = max(1, maxQueued)
        }
    }

    /// Increments taken out together, to be written in one transaction.
    public struct Batch: Sendable, Hashable {
        /// A number for reporting the outcome (`written` or `failed`).
        public let id: Int
        /// The merged increment of each key (never 0).
        public let deltas: [Key: Int]
        /// How many increments were merged into `deltas`.
        public let increments: Int
    }

    public let configuration: Configuration
    /// Merged increments not yet handed out in a batch.
    public private(set) var pending: [Key: Int] = [:]
    /// Increments merged into `pending` (what the size threshold counts).
    public private(set) var queued = 0
    /// When the oldest increment in `pending` arrived (nil when nothing is pending).
    public private(set) var oldest: ContinuousClock.Instant?
    /// Batches handed out and not yet reported written or failed.
    public private(set) var inFlight: [Int: Batch] = [:]
    private var lastBatchID = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// What the aggregator is told.
    public enum Event: Sendable, Hashable {
        /// `delta` more unread (usually +1; −n when a conversation is read) for `key`.
        case increment(Key, by: Int)
        /// Time passed (a timer calls this every so often).
        case tick
        /// The batch was written: forget it.
        case written(batchID: Int)
        /// The batch was not written: its increments go back to pending.
        case failed(batchID: Int)
    }

    /// Handles one event at `now`; returns the batch to write when a flush is due: at `maxQueued`
    /// increments queued, or `flushInterval` after the oldest queued one. A batch handed out stays
    /// in flight until `written` or `failed`; increments that arrive meanwhile start a new batch.
    public mutating func handle(_ event: Event, now: ContinuousClock.Instant) -> Batch? {
        // BEGIN EXERCISE 20.3: Merge increments per key; flush at maxQueued increments or flushInterval after the oldest; keep a batch in flight until written, and merge a failed one back.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 20
        _ = Exercise.notImplemented("20.3", expected: "increments merged per key, a batch at maxQueued or after flushInterval, kept in flight until written, merged back when failed")
        return nil
        // END EXERCISE 20.3
    }

    /// Adds `deltas` into `pending`. A key whose increments cancel out is dropped: a batch never carries a 0.
    private mutating func merge(_ deltas: [Key: Int], increments: Int) {
        for (key, delta) in deltas {
            let merged = pending[key, default: 0] + delta
            pending[key] = merged == 0 ? nil : merged
        }
        queued += increments
    }

    /// The sum of every delta not yet written (pending and in flight): what the counters still lack.
    public var unwritten: [Key: Int] {
        var total = pending
        for batch in inFlight.values {
            for (key, delta) in batch.deltas { total[key, default: 0] += delta }
        }
        return total.filter { $0.value != 0 }
    }
}
