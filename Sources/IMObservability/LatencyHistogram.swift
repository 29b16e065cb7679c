// LESSON 19 STARTER, generated from Solutions/IMObservability/LatencyHistogram.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 19: a latency histogram and the quantile estimate read from it (exercise 19.3).
//
// A server cannot keep every latency it measured, and an average hides the slow tail users feel.
// A histogram keeps a count per bucket (`le` = "at most this many seconds"), which costs a few
// integers whatever the traffic and adds up across servers. Prometheus estimates a quantile from
// those counts (`histogram_quantile`); this type does the same, so the text can show how, and
// `GET /metrics/quantiles` gives an operator a quick look without a Prometheus server.

import CourseSupport

/// Counts per latency bucket, cumulative like Prometheus' `_bucket{le=…}` series.
public struct LatencyHistogram: Sendable, Equatable {
    /// The buckets' upper bounds in seconds, increasing; an implicit last bucket is +Inf.
    public let upperBounds: [Double]
    /// How many values fell in each bucket (not cumulative); one more entry than `upperBounds`.
    public private(set) var counts: [UInt64]
    public private(set) var count: UInt64 = 0
    public private(set) var sum: Double = 0

    /// Prometheus' client default buckets (5 ms … 10 s).
    public static let defaultBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public init(upperBounds: [Double] = LatencyHistogram.defaultBounds) {
        self.upperBounds = upperBounds.sorted()
        counts = Array(repeating: 0, count: upperBounds.count + 1)
    }

    /// The bucket of `seconds`: the first whose bound is ≥ it, or the +Inf bucket.
    public func bucketIndex(for seconds: Double) -> Int {
        var low = 0
        var high = upperBounds.count
        while low < high {
            let middle = (low + high) / 2
            if upperBounds[middle] >= seconds { high = middle } else { low = middle + 1 }
        }
        return low
    }

    public mutating func record(_ seconds: Double) {
        counts[bucketIndex(for: seconds)] += 1
        count += 1
        sum += seconds
    }

    /// The estimated `q`-quantile (0...1) in seconds, as `histogram_quantile` computes it: find the
    /// bucket holding the value of rank q × count, and interpolate linearly inside it, from its
    /// lower bound (the previous bound, 0 for the first) to its upper bound. A rank in the +Inf
    /// bucket answers the highest finite bound. Nil when nothing was recorded.
    public func quantile(_ q: Double) -> Double? {
        // BEGIN EXERCISE 19.3: Rank = q × count; walk the buckets accumulating counts to the one reaching the rank; interpolate linearly between its lower and upper bound (+Inf bucket: the last finite bound).
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 19
        _ = Exercise.notImplemented("19.3", expected: "rank = q × count; the bucket whose cumulative count reaches the rank; lower + (upper − lower) × (rank − count below) / count in bucket; +Inf bucket → last finite bound")
        return upperBounds.last
        // END EXERCISE 19.3
    }
}
