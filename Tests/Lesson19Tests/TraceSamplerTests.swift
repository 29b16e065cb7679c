// Lesson 19 tests, exercise 19.2: which legs of a message are traced.

import IMCore
import IMObservability
import Testing

@Suite("19.2 sampling")
struct TraceSamplerTests {
    let alice = UserID(1)
    let vip = UserID(42)

    @Test("19.2: the field's default keeps every uplink and about 1 % of downlinks")
    func fieldDefault() {
        let sampler = TraceSampler()
        var uplink = 0
        var downlink = 0
        // Trace ids spread evenly over the 64-bit space, as random ids are.
        let step = UInt64.max / 10_000
        for index in 0..<10_000 {
            let bits = UInt64(index) * step + step / 2
            if sampler.shouldSample(.uplink, user: alice, traceIDLowBits: bits) { uplink += 1 }
            if sampler.shouldSample(.downlink, user: alice, traceIDLowBits: bits) { downlink += 1 }
        }
        #expect(uplink == 10_000, "19.2: uplink rate 1.0 keeps every trace")
        #expect(downlink == 100, "19.2: downlink rate 0.01 keeps the lowest 1 % of trace ids (got \(downlink) of 10,000)")
    }

    @Test("19.2: the decision is the trace id's: low bits below rate × 2^64 are kept")
    func thresholdOnTraceID() {
        let sampler = TraceSampler(uplinkRate: 0.5, downlinkRate: 0.25)
        #expect(
            sampler.shouldSample(.uplink, user: alice, traceIDLowBits: 0), "19.2: the lowest id is always inside a rate above 0")
        #expect(
            sampler.shouldSample(.uplink, user: alice, traceIDLowBits: UInt64(1) << 63 - 1), "19.2: just below half at rate 0.5")
        #expect(
            !sampler.shouldSample(.uplink, user: alice, traceIDLowBits: UInt64(1) << 63),
            "19.2: half and above is out at rate 0.5")
        #expect(
            sampler.shouldSample(.downlink, user: alice, traceIDLowBits: UInt64(1) << 62 - 1), "19.2: downlink uses its own rate")
        #expect(
            !sampler.shouldSample(.downlink, user: alice, traceIDLowBits: UInt64(1) << 62), "19.2: downlink uses its own rate")
        #expect(
            sampler.shouldSample(.downlink, user: alice, traceIDLowBits: 12345)
                == sampler.shouldSample(.downlink, user: alice, traceIDLowBits: 12345),
            "19.2: the same trace id always gets the same decision")
    }

    @Test("19.2: rates 0 and 1 are never and always; chosen users are always traced")
    func edgesAndChosenUsers() {
        let sampler = TraceSampler(uplinkRate: 0, downlinkRate: 1, chosenUsers: [vip])
        #expect(!sampler.shouldSample(.uplink, user: alice, traceIDLowBits: 0), "19.2: rate 0 traces nothing")
        #expect(sampler.shouldSample(.downlink, user: alice, traceIDLowBits: .max), "19.2: rate 1 traces everything")
        #expect(sampler.shouldSample(.uplink, user: vip, traceIDLowBits: .max), "19.2: a chosen user is always traced")
    }
}
