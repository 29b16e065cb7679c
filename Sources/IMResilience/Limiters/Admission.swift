// LESSON 12 STARTER, generated from Solutions/IMResilience/Limiters/Admission.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 12: what every limiter answers — yes, or no with how long to wait.
//
// Every limiter of this lesson is a pure value: the time is a parameter (`now`, the time since
// some fixed start on a monotonic clock), so a test plays minutes of traffic in microseconds and
// nothing here sleeps, reads a clock or locks. The server keeps one behind a `Mutex`.

/// A limiter's decision about one request.
public enum Admission: Hashable, Sendable {
    case admitted
    /// Refused; a request made `retryAfter` from now would be admitted (if nothing else came first).
    case refused(retryAfter: Duration)

    public var isAdmitted: Bool { self == .admitted }
}

/// A rate limiter: decides about one request at `now`.
public protocol RateLimiter: Sendable {
    /// Admits one request at `now` (and counts it), or refuses it (and counts nothing).
    mutating func acquire(now: Duration) -> Admission

    /// How long after its last request this limiter is as good as new (a full bucket, an empty
    /// window). A keyed limiter may forget a key idle that long without changing any decision.
    var forgetsAfter: Duration { get }
}

extension Duration {
    /// This duration in seconds, as a floating-point number.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    /// A duration of `seconds` seconds (`.seconds(_:)` with a Double rounds to the nanosecond).
    static func seconds(fraction seconds: Double) -> Duration {
        .nanoseconds(Int64((seconds * 1e9).rounded(.up)))
    }
}
