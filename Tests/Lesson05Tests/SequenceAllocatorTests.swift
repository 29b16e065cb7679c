// Lesson 05 tests, part 1: the allocator — pure, then restarted many times on a real SQLite file.

import Foundation
import GRDB
import IMSequence
import IMTestSupport
import Testing

@Suite("05 Sequence allocator")
struct SequenceAllocatorTests {
    @Test("numbers come from memory within the persisted bound, and stop at it (05.1)")
    func issuesWithinTheSection() {
        var allocator = SequenceAllocator(configuration: .init(step: 3))
        #expect(allocator.next(for: "k") == nil, "Exercise 05.1: an unknown key needs a section first")
        allocator.didPersist("k", maximum: 3, previous: 0)
        let issued = (0..<3).map { _ in allocator.next(for: "k") }
        #expect(issued == [1, 2, 3], "Exercise 05.1: 1, 2, 3 from a fresh key with bound 3; got \(issued)")
        #expect(allocator.next(for: "k") == nil, "Exercise 05.1: nothing beyond the persisted bound")
        allocator.didPersist("k", maximum: allocator.nextMaximum(persisted: 3), previous: 3)
        #expect(allocator.next(for: "k") == 4, "Exercise 05.2: the next section continues without a gap")
        #expect(allocator.next(for: "other") == nil, "Exercise 05.1: keys are independent")
    }

    @Test("05.2 a restart resumes above the bound of the previous run (05.1)")
    func restartJumpsForward() {
        var allocator = SequenceAllocator(configuration: .init(step: 10))
        // The previous run persisted 10 and may have issued anything up to it.
        allocator.didPersist("k", maximum: 20, previous: 10)
        #expect(allocator.next(for: "k") == 11, "Exercise 05.2: a key loaded after a restart resumes at previous + 1")
        allocator.didPersist("k", maximum: 15, previous: 10)
        #expect(allocator.current(for: "k") == 11, "Exercise 05.2: a late, smaller bound never moves a known key back")
        for _ in 0..<9 { _ = allocator.next(for: "k") }
        #expect(allocator.next(for: "k") == nil, "Exercise 05.2: the bound stays the larger one (20)")
    }

    @Test("killed and restarted 150 times on a real SQLite file: never back, never twice, jumps ≤ one step (05.1, 05.2)")
    func neverBackNeverTwiceAcrossRestarts() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.path + "/seq.sqlite"
            let step: Int64 = 7
            let keys = ["conversation:a", "conversation:b", "timeline:1"]
            var issued: [String: [Int64]] = [:]
            var writes = 0
            var generator = SystemRandomNumberGenerator()
            for run in 0..<150 {
                // A "crash": the previous allocator is dropped with whatever it had in memory.
                let queue = try DatabaseQueue(path: path)
                try await queue.write { try SequenceSections.createTable($0) }
                let sequence = PersistentSequence(configuration: .init(step: step))
                for _ in 0..<Int.random(in: 0...20, using: &generator) {
                    let key = keys.randomElement(using: &generator)!
                    let number: Int64
                    do {
                        number = try sequence.next(for: key)
                    } catch is PersistentSequence.SectionExhausted {
                        try await sequence.reserve(for: key, writer: queue)
                        writes += 1
                        number = try sequence.next(for: key)
                    }
                    let last = issued[key]?.last ?? 0
                    #expect(
                        number > last, "Exercise 05.1/05.2: run \(run), \(key): \(number) after \(last) went back or repeated")
                    #expect(
                        number - last <= step + 1,
                        "Exercise 05.2: run \(run), \(key): jumped from \(last) to \(number), more than one step")
                    issued[key, default: []].append(number)
                }
            }
            let total = issued.values.reduce(0) { $0 + $1.count }
            #expect(total > 500, "the run issued numbers")
            #expect(writes < total, "one durable write covers many numbers (\(writes) writes for \(total) numbers)")
        }
    }
}
