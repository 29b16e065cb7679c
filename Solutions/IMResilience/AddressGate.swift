// Lesson 12: the route limits per address, as the gateway's `RequestGate`.
//
// A request is counted by the first limit that matches it (so a catch-all `/api/*` goes last),
// against its client's own bucket. The buckets are keyed limiters (`KeyedLimiter`): a flood of
// addresses holds at most `maxAddresses` buckets per limit, forgetting idle ones first.

import IMCore
import IMGateway
import Logging
import Synchronization

/// Refuses requests over their address's rate with `rate_limited` and `retryAfter`.
public final class AddressGate: RequestGate {
    public let limits: [RouteLimit]
    /// One keyed limiter per limit, in the order of `limits` (one lock: a check holds it for a
    /// dictionary lookup and a little arithmetic).
    private let buckets: Mutex<[KeyedLimiter<String, TokenBucket>]>
    private let refusedCounts: Mutex<[String: Int]>
    private let start = ContinuousClock.now
    private let logger = Logger(label: "im.resilience.address")

    public init(limits: [RouteLimit], maxAddresses: Int = 100_000) {
        self.limits = limits
        buckets = Mutex(
            limits.map { limit in
                KeyedLimiter(maxKeys: maxAddresses) { TokenBucket(rate: limit.rate, burst: limit.burst) }
            })
        refusedCounts = Mutex(Dictionary(uniqueKeysWithValues: limits.map { ($0.name, 0) }))
    }

    /// Requests refused so far, by limit name.
    public var refused: [String: Int] { refusedCounts.withLock { $0 } }

    public func check(_ request: GateRequest) -> IMError? {
        guard let index = limits.firstIndex(where: { $0.matches(request) }) else { return nil }
        let now = ContinuousClock.now - start
        // Without an address (a Unix socket, a test double) every such request shares one bucket.
        let key = request.address ?? "unknown"
        guard case .refused(let wait) = buckets.withLock({ $0[index].acquire(key, now: now) }) else { return nil }
        let limit = limits[index]
        let first = refusedCounts.withLock { counts in
            counts[limit.name, default: 0] += 1
            return counts[limit.name] == 1
        }
        if first {
            logger.warning(
                "an address is over a route limit; refusing with 429 (logged once per limit)",
                metadata: ["limit": "\(limit.name)", "address": "\(key)"])
        }
        let seconds = ResilienceGate.wholeSeconds(wait)
        return IMError(
            .rateLimited, "too many \(limit.name) from your address; try again in \(seconds) s", retryAfter: seconds)
    }
}
