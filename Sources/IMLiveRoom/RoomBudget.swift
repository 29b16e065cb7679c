// LESSON 10 STARTER, generated from Solutions/IMLiveRoom/RoomBudget.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 10: the per-viewer cap, with priorities and sampling.
//
// A phone renders a few dozen chat lines a second; a room at peak gets thousands. Sending them
// all costs bandwidth and battery for lines nobody can read. So each tick keeps what must not be
// lost (gifts, the host) and samples the ordinary comments down to what the cap leaves over,
// saying how many it left out. Every viewer of a room gets the same batch, so one budget per room
// serves them all: the cap is per viewer, and each viewer sees exactly what the budget allows.
//
// This is the pure state machine: no clock (the time since the last cut is a parameter), no I/O.

import CourseSupport

/// What one tick keeps of a room's posts.
public struct BatchCut: Hashable, Sendable {
    /// Priority posts and the sampled comments, in the order posted.
    public var kept: [RoomPost]
    /// Comments left out.
    public var sampled: Int

    public init(kept: [RoomPost], sampled: Int) {
        self.kept = kept
        self.sampled = sampled
    }
}

/// How many comments a room's viewers may still be sent.
///
/// The allowance is counted in thousandths of a comment, so that 20 per second over a 100 ms tick
/// (2.000) or a 33 ms tick (0.660) adds up exactly, without floating-point drift.
public struct RoomBudget: Hashable, Sendable {
    /// The cap: comments per second.
    public let perSecond: Int
    /// Thousandths of a comment that may still be sent. Never above one second's worth (a room
    /// that was quiet for a minute does not get to send a minute's worth at once), never below 0.
    public private(set) var allowance: Int64

    public init(perSecond: Int) {
        self.perSecond = max(0, perSecond)
        allowance = 0
    }

    /// Cuts the posts of one tick, `elapsed` after the previous cut: refill the allowance, keep
    /// every priority post (each uses up one comment's worth, as far as there is any), then keep
    /// as many comments as the whole allowance left allows, spread evenly over the tick.
    public mutating func cut(_ posts: [RoomPost], elapsed: Duration) -> BatchCut {
        // BEGIN EXERCISE 10.1: Refill by perSecond × elapsed (capped at one second's worth), keep every priority post (each costs 1,000), then keep the comments the allowance still pays for, spread evenly, and count the rest as sampled.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 10
        _ = Exercise.notImplemented("10.1", expected: "every gift and host post kept, comments sampled to the allowance (perSecond × elapsed, at most one second's worth, less 1 per priority post), the rest counted as sampled")
        return BatchCut(kept: [], sampled: 0)
        // END EXERCISE 10.1
    }
}
