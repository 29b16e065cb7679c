// Lesson 12: the leaky bucket as a queue — requests leave at a steady pace, or are refused.
//
// Water (requests) is poured into a bucket with a hole: it drips out at `rate`, whatever was
// poured in. Used as a queue, the bucket does not refuse a burst that fits: it delays it, and
// each request is told when its turn comes, one every `1/rate` seconds. Downstream sees a
// perfectly even flow; the price is latency, and a burst larger than the bucket is refused.
// (Used as a meter, the leaky bucket is the token bucket seen from the other side.)

/// Spaces requests `1/rate` apart, with at most `capacity` of them waiting.
public struct LeakyBucket: Sendable {
    /// What the bucket says about one request.
    public enum Slot: Hashable, Sendable {
        /// Go after `delay` (zero: at once).
        case runAfter(Duration)
        case refused(retryAfter: Duration)
    }

    public let rate: Double
    public let capacity: Int
    /// When the next request may leave (never earlier than its arrival).
    private var nextDeparture: Duration = .zero

    public init(rate: Double, capacity: Int) {
        precondition(rate > 0 && capacity >= 0, "a leaky bucket needs a positive rate")
        self.rate = rate
        self.capacity = capacity
    }

    private var interval: Duration { .seconds(fraction: 1 / rate) }

    /// Schedules one request arriving at `now`.
    public mutating func acquire(now: Duration) -> Slot {
        let departure = max(now, nextDeparture)
        let delay = departure - now
        // `capacity` requests may wait in the bucket ahead of this one's departure.
        let longest = interval * capacity
        guard delay <= longest else { return .refused(retryAfter: delay - longest) }
        nextDeparture = departure + interval
        return .runAfter(delay)
    }
}
