// Lesson 12: the sliding window — the fixed window's edge smoothed, in constant memory.
//
// Keeping the time of every request in the last window (a log) is exact but costs memory per
// request. The sliding window counter keeps only two counts: the current fixed window's and the
// previous one's. It assumes the previous window's requests were spread evenly, so the part of
// it still inside "the last `window`" is its count times the fraction of it not yet slid past.
// At 30 % into the current window, 70 % of the previous count still counts. The error of that
// assumption is small in practice and it never lets the fixed window's double burst through.

import CourseSupport

/// At most about `limit` requests in any span of one `window`.
public struct SlidingWindowLimiter: RateLimiter {
    public let limit: Int
    public let window: Duration
    /// The current fixed window's number, and the counts of it and of the one before.
    private var windowIndex: Int64 = 0
    private var current = 0
    private var previous = 0

    public init(limit: Int, window: Duration) {
        precondition(limit > 0 && window > .zero, "a sliding window needs a positive limit and length")
        self.limit = limit
        self.window = window
    }

    public var forgetsAfter: Duration { window * 2 }

    /// The requests counted in the last `window` before `now` (after moving to `now`'s window).
    public mutating func estimatedCount(now: Duration) -> Double {
        // BEGIN EXERCISE 12.2: Move to now's fixed window (previous = current if it is the next one, else 0), then weigh previous by the share of it still inside the sliding window.
        let index = Int64((now / window).rounded(.down))
        if index != windowIndex {
            previous = index == windowIndex + 1 ? current : 0
            current = 0
            windowIndex = index
        }
        let elapsed = (now - window * Int(index)) / window
        return Double(previous) * (1 - elapsed) + Double(current)
        // STUB: _ = Exercise.notImplemented("12.2", expected: "current + previous × (share of the previous window still inside the last `window`), after rolling the windows forward to now")
        // STUB: return 0
        // END EXERCISE 12.2
    }

    public mutating func acquire(now: Duration) -> Admission {
        if estimatedCount(now: now) + 1 <= Double(limit) {
            current += 1
            return .admitted
        }
        return .refused(retryAfter: wait(now: now))
    }

    /// How long until the estimate leaves room for one more request, if nothing else comes.
    private func wait(now: Duration) -> Duration {
        let room = Double(limit - 1)
        let elapsed = (now - window * Int(windowIndex)) / window
        if Double(current) <= room, previous > 0 {
            // The previous window's share has to shrink: previous × (1 − e) + current ≤ limit − 1.
            let until = 1 - (room - Double(current)) / Double(previous)
            return .seconds(fraction: max(1e-9, window.seconds * (until - elapsed)))
        }
        // The current window alone is full: wait for it to become the previous one and shrink.
        let share = current > 0 ? max(0, 1 - room / Double(current)) : 0
        // Rounded up to the nanosecond, so a retry at exactly that time finds the room.
        return .seconds(fraction: window.seconds * (1 - elapsed + share))
    }
}
