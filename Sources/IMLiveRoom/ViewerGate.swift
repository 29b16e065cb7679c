// LESSON 10 STARTER, generated from Solutions/IMLiveRoom/ViewerGate.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 10: a slow viewer never slows the room.
//
// A batch is written to every viewer of a room in one pass. A viewer on a bad network, or a
// phone whose app is frozen, does not take its bytes; they pile up in the server's buffer for
// that connection. Waiting for it would hold the room; buffering without end would eat the
// server's memory. So each viewer has a gate: while its unsent bytes are over a limit, it skips
// batches (live chat is lossy anyway) and is told how many when it gets one again; a viewer that
// stays stuck past a time limit is disconnected, and reconnects when its network comes back.
//
// This is the pure state machine: the time and the pending bytes are parameters.

import CourseSupport

/// What to do with one viewer for one batch.
public enum GateDecision: Hashable, Sendable {
    /// Write the batch. `missed` (if any) is what was skipped since the last one written: tell the
    /// viewer first.
    case deliver(missed: MissedCount?)
    /// Skip this batch for this viewer.
    case skip
    /// Stuck for too long: close the connection.
    case disconnect
}

/// Batches skipped, and the posts they carried.
public struct MissedCount: Hashable, Sendable {
    public var batches: Int
    public var posts: Int

    public init(batches: Int, posts: Int) {
        self.batches = batches
        self.posts = posts
    }
}

/// One viewer's gate in one room.
public struct ViewerGate: Hashable, Sendable {
    public struct Limits: Hashable, Sendable {
        /// Above this many unsent bytes the viewer skips batches.
        public var maxPendingBytes: Int
        /// Skipping every batch for this long disconnects the viewer.
        public var maxStuck: Duration

        public init(maxPendingBytes: Int, maxStuck: Duration) {
            self.maxPendingBytes = maxPendingBytes
            self.maxStuck = maxStuck
        }
    }

    /// Skipped since the last batch written (nil: nothing skipped).
    public private(set) var missed: MissedCount?
    /// When the viewer skipped the first batch of its current stuck spell.
    public private(set) var stuckSince: Duration?

    public init() {}

    /// Decides about one batch of `posts` posts at `now`, for a viewer with `pendingBytes` unsent.
    public mutating func admit(posts: Int, pendingBytes: Int, now: Duration, limits: Limits) -> GateDecision {
        // BEGIN EXERCISE 10.3: Over the byte limit: note when the stuck spell began, disconnect once it has lasted maxStuck, otherwise skip and count the batch and its posts; under it: deliver, with what was missed, and reset.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 10
        _ = Exercise.notImplemented("10.3", expected: "batches skipped (and counted) while pendingBytes > maxPendingBytes, disconnect after maxStuck of skipping, the missed count delivered with the next batch")
        return .deliver(missed: nil)
        // END EXERCISE 10.3
    }
}
