// Lesson 12 tests: the circuit breaker's state machine, pure.

import IMResilience
import Testing

@Suite("12.3 Circuit breaker")
struct CircuitBreakerTests {
    static func configuration() -> CircuitBreaker.Configuration {
        var configuration = CircuitBreaker.Configuration()
        configuration.windowSize = 10
        configuration.minimumCalls = 4
        configuration.failureRateThreshold = 0.5
        configuration.slowCallDuration = .seconds(1)
        configuration.slowCallRateThreshold = 0.8
        configuration.openDuration = .seconds(5)
        configuration.halfOpenProbes = 2
        return configuration
    }

    /// Makes one call at `now` if admitted and records it; returns whether it was admitted.
    @discardableResult
    static func call(_ breaker: inout CircuitBreaker, failed: Bool = false, took: Duration = .milliseconds(10), at now: Duration)
        -> Bool
    {
        guard breaker.acquire(now: now).isAdmitted else { return false }
        breaker.record(failed: failed, duration: took, now: now + took)
        return true
    }

    @Test("12.3 fewer calls than minimumCalls never open it, however many failed")
    func minimumCalls() {
        var breaker = CircuitBreaker(configuration: Self.configuration())
        for _ in 0..<3 { Self.call(&breaker, failed: true, at: at(0)) }
        #expect(breaker.state == .closed, "Exercise 12.3: 3 failures of 3 calls, but minimumCalls is 4")
        Self.call(&breaker, failed: true, at: at(0))
        #expect(
            breaker.state == .open(until: at(5.01)), "Exercise 12.3: the 4th failure opens it for openDuration; \(breaker.state)")
    }

    @Test("12.3 the failure rate of the last calls opens it; below the threshold it stays closed")
    func failureRate() {
        var breaker = CircuitBreaker(configuration: Self.configuration())
        for index in 0..<10 { Self.call(&breaker, failed: [1, 4, 7, 9].contains(index), at: at(0)) }
        #expect(breaker.state == .closed, "Exercise 12.3: 4 failures in 10 calls is 40 % < 50 %")
        Self.call(&breaker, failed: true, at: at(1))
        // The window keeps the last 10: the first call (fine) left, a failure came: 5 of 10.
        guard case .open = breaker.state else {
            Issue.record("Exercise 12.3: 5 failures in the last 10 calls is 50 %: open; got \(breaker.state)")
            return
        }
    }

    @Test("12.3 slow calls open it even when they all succeed")
    func slowCalls() {
        var breaker = CircuitBreaker(configuration: Self.configuration())
        for _ in 0..<3 { Self.call(&breaker, took: .seconds(2), at: at(0)) }
        Self.call(&breaker, took: .milliseconds(5), at: at(0))
        #expect(breaker.state == .closed, "Exercise 12.3: 3 slow of 4 is 75 % < 80 %")
        Self.call(&breaker, took: .seconds(3), at: at(0))
        guard case .open = breaker.state else {
            Issue.record("Exercise 12.3: 4 slow of 5 (80 % ≥ 75 %) must open it; got \(breaker.state)")
            return
        }
    }

    @Test("12.3 open: fail fast until openDuration; then probes; good probes close it")
    func openHalfOpenClosed() {
        var breaker = CircuitBreaker(configuration: Self.configuration())
        for _ in 0..<4 { Self.call(&breaker, failed: true, at: at(0)) }
        #expect(breaker.acquire(now: at(2)) == .refused(retryAfter: .milliseconds(3010)), "open refuses with the time left")
        #expect(breaker.acquire(now: at(6)).isAdmitted, "after openDuration the first probe goes")
        #expect(breaker.acquire(now: at(6)).isAdmitted, "the second probe goes (halfOpenProbes = 2)")
        #expect(!breaker.acquire(now: at(6)).isAdmitted, "a third call waits for the probes' verdict")
        breaker.record(failed: false, duration: .milliseconds(10), now: at(6))
        #expect(breaker.state == .halfOpen(admitted: 2, succeeded: 1), "Exercise 12.3: one probe fine, one to go")
        breaker.record(failed: false, duration: .milliseconds(10), now: at(6))
        #expect(breaker.state == .closed, "Exercise 12.3: all probes fine: closed; got \(breaker.state)")
        Self.call(&breaker, failed: true, at: at(7))
        #expect(breaker.state == .closed, "Exercise 12.3: closed again with an empty window: one failure is not enough")
    }

    @Test("12.3 a failed or slow probe opens it again")
    func badProbe() {
        var breaker = CircuitBreaker(configuration: Self.configuration())
        for _ in 0..<4 { Self.call(&breaker, failed: true, at: at(0)) }
        Self.call(&breaker, took: .seconds(2), at: at(6))
        #expect(breaker.state == .open(until: at(13)), "Exercise 12.3: a slow probe opens it for openDuration; \(breaker.state)")
        Self.call(&breaker, failed: true, at: at(14))
        guard case .open = breaker.state else {
            Issue.record("Exercise 12.3: a failed probe opens it again; got \(breaker.state)")
            return
        }
        #expect(breaker.timesOpened == 3)
    }

    @Test("12.3 a late answer of a call made before it opened changes nothing")
    func lateAnswer() {
        var breaker = CircuitBreaker(configuration: Self.configuration())
        for _ in 0..<4 { Self.call(&breaker, failed: true, at: at(0)) }
        let open = breaker.state
        breaker.record(failed: false, duration: .milliseconds(1), now: at(1))
        #expect(breaker.state == open, "Exercise 12.3: outcomes recorded while open are ignored")
    }
}
