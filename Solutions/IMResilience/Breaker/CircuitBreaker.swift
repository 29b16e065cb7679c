// Lesson 12: the circuit breaker — stop calling what is failing, and find out when it is back.
//
// When the store (or a push provider) fails or slows down, every caller that keeps trying waits
// for its own time-out, holds a connection and a task while it waits, and adds load to the part
// that is already struggling. A breaker watches the outcomes of the last calls. When too many
// failed, or took too long, it opens: for `openDuration` every call is refused at once, which
// costs nothing and gives the other side air. Then it lets a few probe calls through
// (half-open). If they go well it closes, if one fails it opens again.
//
//   closed ──(≥ minimumCalls seen, failure or slow rate ≥ threshold)──▶ open
//   open ──(openDuration passed, next acquire)──▶ half-open (halfOpenProbes calls let through)
//   half-open ──(all probes fine)──▶ closed      half-open ──(a probe fails or is slow)──▶ open

import CourseSupport

/// A circuit breaker on failure rate and slow calls. Pure: time is a parameter.
public struct CircuitBreaker: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// Outcomes remembered while closed (the last N calls).
        public var windowSize = 50
        /// Below this many calls in the window the breaker never opens (3 failures of 4 calls
        /// say little about a store).
        public var minimumCalls = 10
        /// Share of failed calls in the window that opens the breaker.
        public var failureRateThreshold = 0.5
        /// A call that took this long or longer is slow, even if it succeeded.
        public var slowCallDuration: Duration = .seconds(1)
        /// Share of slow calls in the window that opens the breaker.
        public var slowCallRateThreshold = 0.8
        /// How long an open breaker refuses everything before it lets probes through.
        public var openDuration: Duration = .seconds(5)
        /// Calls let through while half-open; all must go well to close.
        public var halfOpenProbes = 3

        public init() {}
    }

    public enum State: Hashable, Sendable {
        case closed
        case open(until: Duration)
        /// `admitted` probes let through so far, `succeeded` of them came back fine.
        case halfOpen(admitted: Int, succeeded: Int)
    }

    /// How one call went.
    public struct Outcome: Hashable, Sendable {
        public var failed: Bool
        public var slow: Bool
    }

    public let configuration: Configuration
    public private(set) var state: State = .closed
    /// The last outcomes while closed, oldest first (at most `windowSize`).
    private var window: [Outcome] = []
    /// How many times the breaker opened (for logs and metrics).
    public private(set) var timesOpened = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Asks whether a call may go ahead at `now`. Refused calls must not be made (fail fast),
    /// and are not recorded.
    public mutating func acquire(now: Duration) -> Admission {
        switch state {
        case .closed:
            return .admitted
        case .open(let until):
            guard now >= until else { return .refused(retryAfter: until - now) }
            state = .halfOpen(admitted: 1, succeeded: 0)
            return .admitted
        case .halfOpen(let admitted, let succeeded):
            // The probes are out; the others wait for their verdict, at most a slow call long.
            guard admitted < configuration.halfOpenProbes else {
                return .refused(retryAfter: configuration.slowCallDuration)
            }
            state = .halfOpen(admitted: admitted + 1, succeeded: succeeded)
            return .admitted
        }
    }

    /// Records a call that was admitted: whether it `failed` and how long it took.
    public mutating func record(failed: Bool, duration: Duration, now: Duration) {
        transition(Outcome(failed: failed, slow: duration >= configuration.slowCallDuration), now: now)
    }

    /// The state machine: applies one outcome to the current state.
    mutating func transition(_ outcome: Outcome, now: Duration) {
        // BEGIN EXERCISE 12.3: Closed: remember the outcome in the window and open when ≥ minimumCalls and a rate reaches its threshold. Half-open: a bad probe opens, all probes fine closes. Open: ignore.
        switch state {
        case .closed:
            window.append(outcome)
            if window.count > configuration.windowSize { window.removeFirst(window.count - configuration.windowSize) }
            guard window.count >= configuration.minimumCalls else { return }
            let calls = Double(window.count)
            let failureRate = Double(window.count { $0.failed }) / calls
            let slowRate = Double(window.count { $0.slow }) / calls
            if failureRate >= configuration.failureRateThreshold || slowRate >= configuration.slowCallRateThreshold {
                open(now: now)
            }
        case .halfOpen(let admitted, let succeeded):
            if outcome.failed || outcome.slow {
                open(now: now)
            } else if succeeded + 1 >= configuration.halfOpenProbes {
                state = .closed
            } else {
                state = .halfOpen(admitted: admitted, succeeded: succeeded + 1)
            }
        case .open:
            // A call admitted before the breaker opened, coming back late: it changes nothing.
            break
        }
        // STUB: _ = Exercise.notImplemented("12.3", expected: "closed → open at ≥ minimumCalls with failure or slow rate ≥ threshold; half-open → open on a bad probe, → closed when halfOpenProbes went well")
        // END EXERCISE 12.3
    }

    private mutating func open(now: Duration) {
        state = .open(until: now + configuration.openDuration)
        window.removeAll()
        timesOpened += 1
    }
}
