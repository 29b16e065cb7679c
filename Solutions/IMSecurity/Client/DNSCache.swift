// Lesson 06: the client's cache of HttpDNS answers, kept for their TTL.
//
// Time is a parameter (`now`, from any monotonic clock), so the tests move it by hand.

/// HttpDNS answers by service name, each valid until its TTL runs out.
public struct DNSCache: Sendable {
    struct Entry: Sendable {
        let addresses: [String]
        /// The first moment the entry is no longer fresh.
        let expiresAt: Duration
    }

    /// Bounds on the TTL a server may ask for: 0 would make every connect ask again; a day
    /// would keep a removed node for a day.
    public let ttlRange: ClosedRange<Duration>
    private var entries: [String: Entry] = [:]

    public init(ttlRange: ClosedRange<Duration> = .seconds(1)...(.seconds(24 * 3600))) {
        self.ttlRange = ttlRange
    }

    /// Keeps `answer` from `now` for its TTL (clamped to `ttlRange`).
    public mutating func store(_ answer: HttpDNSAnswer, now: Duration) {
        let ttl = min(max(Duration.seconds(answer.ttl), ttlRange.lowerBound), ttlRange.upperBound)
        entries[answer.service] = Entry(addresses: answer.addresses, expiresAt: now + ttl)
    }

    /// The fresh addresses of `service` at `now`, or nil when none were stored or they expired.
    public func lookup(_ service: String, now: Duration) -> [String]? {
        guard let entry = entries[service], now < entry.expiresAt else { return nil }
        return entry.addresses
    }

    /// The last addresses stored for `service`, expired or not: better than nothing when the
    /// HttpDNS service itself cannot be reached.
    public func stale(_ service: String) -> [String]? { entries[service]?.addresses }
}
