// Lesson 12: the fixed window — at most `limit` requests per calendar window.
//
// The simplest counter: time is cut into windows of equal length (0–1 s, 1–2 s, …) and each
// window counts its requests. One integer and one window number per key. Its flaw is the edge:
// `limit` requests at the end of one window and `limit` more at the start of the next pass, so
// twice the limit can go through in a span of one window.

/// At most `limit` requests in each window `[k·window, (k+1)·window)`.
public struct FixedWindowLimiter: RateLimiter {
    public let limit: Int
    public let window: Duration
    /// The window being counted (its number k), and its count.
    private var windowIndex: Int64 = -1
    private var count = 0

    public init(limit: Int, window: Duration) {
        precondition(limit > 0 && window > .zero, "a fixed window needs a positive limit and length")
        self.limit = limit
        self.window = window
    }

    public var forgetsAfter: Duration { window }

    public mutating func acquire(now: Duration) -> Admission {
        let index = Int64((now / window).rounded(.down))
        if index != windowIndex {
            windowIndex = index
            count = 0
        }
        guard count < limit else { return .refused(retryAfter: window * Int(index + 1) - now) }
        count += 1
        return .admitted
    }
}
