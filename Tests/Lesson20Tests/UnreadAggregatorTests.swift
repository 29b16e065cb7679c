// Lesson 20 tests, part 3: the unread aggregator, a pure state machine (no I/O, no clock of its own).

import IMGroup
import IMTestSupport
import Testing

@Suite("20.3 Unread aggregator")
struct UnreadAggregatorTests {
    typealias Aggregator = UnreadAggregator<String>
    let start = ContinuousClock.now

    @Test("+1 ×4 → +4: increments of one key merge into one delta, written when the interval has passed (20.3)")
    func mergesIncrements() {
        var aggregator = Aggregator()
        for _ in 0..<4 {
            #expect(aggregator.handle(.increment("bob|g1", by: 1), now: start) == nil, "4 increments are not a flush yet")
        }
        #expect(aggregator.handle(.tick, now: start + .milliseconds(999)) == nil, "not before a second has passed")
        let batch = aggregator.handle(.tick, now: start + .seconds(1))
        #expect(batch?.deltas == ["bob|g1": 4], "one delta of +4, not four of +1; got \(String(describing: batch))")
        #expect(batch?.increments == 4, "the batch knows it merged 4 increments")
    }

    @Test("100 queued increments flush at once, before the interval (20.3)")
    func flushesAtSize() {
        var aggregator = Aggregator()
        var batches: [Aggregator.Batch] = []
        for index in 0..<100 {
            if let batch = aggregator.handle(.increment("user\(index % 7)", by: 1), now: start) { batches.append(batch) }
        }
        #expect(batches.count == 1, "the 100th increment makes a batch at once; got \(batches.count)")
        #expect(batches.first?.deltas.values.reduce(0, +) == 100, "…carrying all 100")
        #expect(batches.first?.deltas.count == 7, "…merged into 7 keys")
    }

    @Test("a failed batch is merged back and written with the next one; increments during the flush are not lost (20.3)")
    func failedBatchIsMergedBack() throws {
        var aggregator = Aggregator()
        _ = aggregator.handle(.increment("a", by: 1), now: start)
        let firstBatch = aggregator.handle(.tick, now: start + .seconds(1))
        let first = try #require(firstBatch, "a batch after a second")
        // While the batch is being written, new increments arrive…
        _ = aggregator.handle(.increment("a", by: 1), now: start + .seconds(1))
        _ = aggregator.handle(.increment("b", by: 2), now: start + .seconds(1))
        // …and the write fails: the next batch carries both.
        let secondBatch = aggregator.handle(.failed(batchID: first.id), now: start + .seconds(1))
        let second = try #require(secondBatch, "a failed batch is due again at once")
        #expect(second.deltas == ["a": 2, "b": 2], "the failed +1 and the new +1 +2; got \(second.deltas)")
        _ = aggregator.handle(.written(batchID: second.id), now: start + .seconds(1))
        _ = aggregator.handle(.written(batchID: second.id), now: start + .seconds(1))
        #expect(aggregator.unwritten.isEmpty, "written (even reported twice): nothing left; got \(aggregator.unwritten)")
    }

    @Test("never loses or double-counts: random increments, ticks, and flushes that fail or succeed while more arrive (20.3)")
    func neverLosesOrDoubleCounts() {
        var random = SplitMix64(seed: 20)
        for round in 0..<50 {
            var aggregator = Aggregator(configuration: .init(flushInterval: .milliseconds(50), maxQueued: 10))
            var added: [String: Int] = [:]
            var written: [String: Int] = [:]
            var inFlight: [Aggregator.Batch] = []
            var now = start
            for _ in 0..<400 {
                now += .milliseconds(Int(random.next() % 20))
                let roll = random.next() % 10
                var batch: Aggregator.Batch?
                if roll < 6 {
                    let key = "k\(random.next() % 5)"
                    let delta = random.next() % 8 == 0 ? -1 : 1
                    added[key, default: 0] += delta
                    batch = aggregator.handle(.increment(key, by: delta), now: now)
                } else if roll < 8 || inFlight.isEmpty {
                    batch = aggregator.handle(.tick, now: now)
                } else {
                    // A flush in flight finishes, in any order, while others are still out.
                    let finished = inFlight.remove(at: Int(random.next() % UInt64(inFlight.count)))
                    if random.next() % 3 == 0 {
                        batch = aggregator.handle(.failed(batchID: finished.id), now: now)
                    } else {
                        for (key, delta) in finished.deltas { written[key, default: 0] += delta }
                        batch = aggregator.handle(.written(batchID: finished.id), now: now)
                    }
                }
                if let batch { inFlight.append(batch) }
            }
            // Every flush still out succeeds; what is pending is flushed.
            for finished in inFlight {
                for (key, delta) in finished.deltas { written[key, default: 0] += delta }
                _ = aggregator.handle(.written(batchID: finished.id), now: now)
            }
            if let last = aggregator.handle(.tick, now: now + .seconds(1)) {
                for (key, delta) in last.deltas { written[key, default: 0] += delta }
            }
            #expect(
                written.filter { $0.value != 0 } == added.filter { $0.value != 0 },
                "round \(round): what was written must equal what was added, key by key")
            if written.filter({ $0.value != 0 }) != added.filter({ $0.value != 0 }) { return }
        }
    }
}
