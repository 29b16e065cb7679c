// Lesson 12 tests: the adaptive concurrency limit (AIMD), pure.

import IMResilience
import Testing

@Suite("12.4 Adaptive concurrency limit (AIMD)")
struct AdaptiveLimitTests {
    static func configuration(initial: Double = 10) -> AdaptiveConcurrencyLimit.Configuration {
        var configuration = AdaptiveConcurrencyLimit.Configuration()
        configuration.initialLimit = initial
        configuration.minLimit = 2
        configuration.maxLimit = 12
        configuration.latencyThreshold = .milliseconds(100)
        configuration.backoffRatio = 0.5
        configuration.nonCoreShare = 0.5
        return configuration
    }

    @Test("12.4 above the limit a call is refused at once, not queued")
    func refusesAtTheLimit() {
        var limit = AdaptiveConcurrencyLimit(configuration: Self.configuration())
        let admitted = (0..<15).filter { _ in limit.acquire() }.count
        #expect(admitted == 10 && limit.inFlight == 10, "10 in flight, 5 refused")
        limit.release(latency: .milliseconds(10))
        let again = limit.acquire()
        #expect(again, "a finished call makes room")
    }

    @Test("12.4 slow or failed calls cut the limit by backoffRatio, down to minLimit")
    func multiplicativeDecrease() {
        var limit = AdaptiveConcurrencyLimit(configuration: Self.configuration())
        _ = limit.acquire()
        limit.release(latency: .milliseconds(150))
        #expect(limit.limit == 5, "Exercise 12.4: a slow call: 10 × 0.5 = 5; got \(limit.limit)")
        _ = limit.acquire()
        limit.release(latency: .milliseconds(1), failed: true)
        #expect(limit.limit == 2.5, "Exercise 12.4: a failed call: 5 × 0.5; got \(limit.limit)")
        _ = limit.acquire()
        limit.release(latency: .seconds(1))
        #expect(limit.limit == 2, "Exercise 12.4: never below minLimit; got \(limit.limit)")
    }

    @Test("12.4 fast calls raise the limit by one only while it is in use, up to maxLimit")
    func additiveIncrease() {
        var limit = AdaptiveConcurrencyLimit(configuration: Self.configuration())
        _ = limit.acquire()
        limit.release(latency: .milliseconds(1))
        #expect(limit.limit == 10, "Exercise 12.4: 1 in flight of 10 is no sign the limit is too low; got \(limit.limit)")
        for _ in 0..<5 { _ = limit.acquire() }
        limit.release(latency: .milliseconds(1))
        #expect(limit.limit == 11, "Exercise 12.4: 5 in flight of 10 (half used): + 1; got \(limit.limit)")
        // Fill it (11), then everything comes back fast.
        let more = (0..<20).filter { _ in limit.acquire() }.count
        for _ in 0..<(more + 4) { limit.release(latency: .milliseconds(1)) }
        #expect(limit.limit == 12, "Exercise 12.4: never above maxLimit; got \(limit.limit)")
    }

    @Test("12.4 a store that slows down shrinks the limit, and it grows back when it recovers")
    func followsLatency() {
        var limit = AdaptiveConcurrencyLimit(configuration: Self.configuration(initial: 12))
        for _ in 0..<8 { _ = limit.acquire() }
        for _ in 0..<8 { limit.release(latency: .milliseconds(300)) }
        #expect(limit.limit == 2, "Exercise 12.4: slow calls bring it down to minLimit; got \(limit.limit)")
        var rounds = 0
        while limit.limit < 12, rounds < 100 {
            let admitted = (0..<12).filter { _ in limit.acquire() }.count
            for _ in 0..<admitted { limit.release(latency: .milliseconds(5)) }
            rounds += 1
        }
        #expect(limit.limit == 12, "Exercise 12.4: fast calls while the limit is full raise it again; got \(limit.limit)")
    }

    @Test("non-core requests get only their share: they are refused first")
    func priorities() {
        var limit = AdaptiveConcurrencyLimit(configuration: Self.configuration())
        let nonCore = (0..<10).filter { _ in limit.acquire(.nonCore) }.count
        #expect(nonCore == 5, "non-core may use half of the limit (10)")
        let core = (0..<10).filter { _ in limit.acquire(.core) }.count
        #expect(core == 5, "core requests still have the rest")
        let another = limit.acquire(.nonCore)
        #expect(!another, "with the limit full, non-core is refused")
    }
}
