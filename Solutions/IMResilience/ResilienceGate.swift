// Lesson 12: the limiters of one server, shared by every connection, on the monotonic clock.
//
// The pure types decide; this holds one of each behind a lock, reads the clock, and counts what
// was refused so that operators (logs, lesson 19's metrics) can see the server protecting itself.

import IMCore
import Logging
import Synchronization

/// The server's send limiter, concurrency limit and circuit breaker.
public final class ResilienceGate: Sendable {
    /// What flow control has refused since the server started.
    public struct Statistics: Sendable, Equatable {
        /// Sends refused `rate_limited` (a user over their rate).
        public var sendsLimited = 0
        /// Requests refused `unavailable` because the concurrency limit was reached.
        public var shedCore = 0
        /// Of the refused, non-core requests (read receipts, later lessons' frames): shed first.
        public var shedNonCore = 0
        /// Requests refused because the breaker was open.
        public var breakerRejected = 0
        /// How many times the breaker opened.
        public var breakerOpened = 0
        /// The concurrency limit now (0 when it is off).
        public var concurrencyLimit = 0.0
        /// When the last overload warning was logged.
        var lastShedWarning: Duration?
    }

    public let configuration: ResilienceConfiguration
    // One lock each, so a send's bucket and another request's breaker check do not wait for each
    // other. nil inside: that part is turned off.
    private let sends: Mutex<KeyedLimiter<UserID, TokenBucket>?>
    private let concurrency: Mutex<AdaptiveConcurrencyLimit?>
    private let breaker: Mutex<CircuitBreaker?>
    private let counters = Mutex(Statistics())
    private let start = ContinuousClock.now
    private let logger = Logger(label: "im.resilience")

    public init(configuration: ResilienceConfiguration) {
        self.configuration = configuration
        sends = Mutex(
            configuration.sends.map { limit in
                KeyedLimiter(maxKeys: limit.maxUsers) { TokenBucket(rate: limit.rate, burst: limit.burst) }
            })
        concurrency = Mutex(configuration.concurrency.map { AdaptiveConcurrencyLimit(configuration: $0) })
        breaker = Mutex(configuration.breaker.map { CircuitBreaker(configuration: $0) })
    }

    /// Time since the gate was made, on the monotonic clock.
    var now: Duration { ContinuousClock.now - start }

    public var statistics: Statistics {
        var statistics = counters.withLock { $0 }
        statistics.concurrencyLimit = concurrency.withLock { $0?.limit } ?? 0
        return statistics
    }

    /// Takes one of `user`'s send tokens, or says how long to wait.
    func admitSend(of user: UserID) -> Admission {
        let now = now
        let admission = sends.withLock { $0?.acquire(user, now: now) } ?? .admitted
        if !admission.isAdmitted { counters.withLock { $0.sendsLimited += 1 } }
        return admission
    }

    /// A ticket for one call of the logic layer, or the error that refuses it at once.
    func enter(_ priority: AdaptiveConcurrencyLimit.Priority) -> Result<Ticket, IMError> {
        if !(concurrency.withLock { $0?.acquire(priority) } ?? true) {
            let now = now
            let warn = counters.withLock { counters in
                if priority == .core { counters.shedCore += 1 } else { counters.shedNonCore += 1 }
                // One line per 10 s at most: a log line per refusal would add to the overload.
                guard counters.lastShedWarning.map({ now - $0 >= .seconds(10) }) ?? true else { return false }
                counters.lastShedWarning = now
                return true
            }
            if warn {
                let statistics = statistics
                logger.warning(
                    "overloaded: refusing requests over the concurrency limit (non-core first)",
                    metadata: [
                        "limit": "\(Int(statistics.concurrencyLimit))", "shedCore": "\(statistics.shedCore)",
                        "shedNonCore": "\(statistics.shedNonCore)",
                    ])
            }
            return .failure(
                IMError(.unavailable, "the server is overloaded; try again shortly", retryAfter: 1))
        }
        let now = now
        if case .refused(let wait) = breaker.withLock({ $0?.acquire(now: now) }) ?? .admitted {
            concurrency.withLock { $0?.cancel() }
            counters.withLock { $0.breakerRejected += 1 }
            return .failure(
                IMError(.unavailable, "the store is failing; try again later", retryAfter: Self.wholeSeconds(wait)))
        }
        return .success(Ticket(started: ContinuousClock.now))
    }

    /// The call of `ticket` ended; `failed` when the server failed (not the client's mistake).
    func leave(_ ticket: Ticket, failed: Bool) {
        let latency = ContinuousClock.now - ticket.started
        concurrency.withLock { $0?.release(latency: latency, failed: failed) }
        let now = now
        let opened = breaker.withLock { breaker -> CircuitBreaker.State? in
            guard let before = breaker?.timesOpened else { return nil }
            breaker?.record(failed: failed, duration: latency, now: now)
            return breaker.flatMap { $0.timesOpened > before ? $0.state : nil }
        }
        if let state = opened {
            counters.withLock { $0.breakerOpened += 1 }
            logger.warning(
                "circuit breaker opened: the logic layer fails or is slow; refusing at once", metadata: ["state": "\(state)"])
        }
    }

    /// A call let through.
    struct Ticket: Sendable {
        let started: ContinuousClock.Instant
    }

    /// `Retry-After` is in whole seconds; a wait of 0.2 s is still 1.
    static func wholeSeconds(_ wait: Duration) -> Int {
        max(1, Int((wait / .seconds(1)).rounded(.up)))
    }
}
