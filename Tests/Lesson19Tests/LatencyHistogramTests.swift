// Lesson 19 tests, exercise 19.3: the quantile estimated from a latency histogram's buckets.

import IMObservability
import Testing

@Suite("19.3 latency histogram")
struct LatencyHistogramTests {
    @Test("19.3: values go to the first bucket whose bound is at least the value")
    func buckets() {
        var histogram = LatencyHistogram(upperBounds: [0.1, 0.2, 0.4])
        for value in [0.05, 0.1, 0.15, 0.3, 1.0] { histogram.record(value) }
        #expect(histogram.counts == [2, 1, 1, 1])
        #expect(histogram.count == 5)
    }

    @Test("19.3: the quantile is interpolated linearly inside the bucket holding its rank")
    func interpolates() throws {
        var histogram = LatencyHistogram(upperBounds: [0.1, 0.2, 0.4])
        // 10 values in (0, 0.1], 10 in (0.1, 0.2], 20 in (0.2, 0.4].
        for _ in 0..<10 { histogram.record(0.05) }
        for _ in 0..<10 { histogram.record(0.15) }
        for _ in 0..<20 { histogram.record(0.3) }
        let median = try #require(histogram.quantile(0.5), "19.3: a histogram with values has quantiles")
        // Rank 20 is the last value of the second bucket: its upper bound.
        #expect(abs(median - 0.2) < 1e-9, "19.3: p50 should be 0.2 (rank 20 of 40 ends bucket le=0.2), got \(median)")
        let p25 = try #require(histogram.quantile(0.25))
        #expect(abs(p25 - 0.1) < 1e-9, "19.3: p25 should be 0.1 (rank 10 ends bucket le=0.1), got \(p25)")
        let p75 = try #require(histogram.quantile(0.75))
        // Rank 30: 10 into the 20 values of (0.2, 0.4] → 0.2 + 0.2 × 10/20.
        #expect(abs(p75 - 0.3) < 1e-9, "19.3: p75 should be 0.3 (halfway through bucket le=0.4), got \(p75)")
        let p10 = try #require(histogram.quantile(0.1))
        // Rank 4 of the first bucket, which starts at 0: 0.1 × 4/10.
        #expect(abs(p10 - 0.04) < 1e-9, "19.3: p10 should be 0.04 (the first bucket starts at 0), got \(p10)")
    }

    @Test("19.3: a rank in the +Inf bucket answers the highest finite bound; no values, no quantile")
    func edges() {
        var histogram = LatencyHistogram(upperBounds: [0.1, 0.2])
        #expect(histogram.quantile(0.5) == nil, "19.3: nothing recorded, no estimate")
        histogram.record(0.05)
        for _ in 0..<9 { histogram.record(5) }
        #expect(histogram.quantile(0.99) == 0.2, "19.3: values above every bound report the last finite bound")
        #expect(histogram.quantile(0.05).map { abs($0 - 0.05) < 1e-9 } == true, "19.3: rank 0.5 of the first bucket")
    }
}
