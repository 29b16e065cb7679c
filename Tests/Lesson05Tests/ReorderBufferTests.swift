// Lesson 05 tests, part 2: the client's reorder buffer with shuffled, repeated and lost items.

import IMSequence
import Testing

@Suite("05.3 Reorder buffer")
struct ReorderBufferTests {
    /// A chain like the server makes: increasing, with skips (after crashes), each linked to the one before.
    static func chain(count: Int) -> [(seq: Int64, previous: Int64)] {
        var result: [(Int64, Int64)] = []
        var previous: Int64 = 0
        for index in 0..<count {
            let seq = previous + (index % 9 == 8 ? 1 + Int64.random(in: 1...10) : 1)
            result.append((seq, previous))
            previous = seq
        }
        return result
    }

    @Test("in-order items pass straight through (05.3)")
    func inOrder() {
        var buffer = ReorderBuffer<Int64>()
        #expect(buffer.offer(1, at: 1, after: 0) == [1], "Exercise 05.3: the first item follows position 0")
        #expect(buffer.offer(5, at: 5, after: 1) == [5], "Exercise 05.3: a skip in numbers is fine when the link matches")
        #expect(buffer.position == 5)
    }

    @Test("an early item waits, the gap is reported, and the missing one releases both (05.3)")
    func earlyItemWaits() {
        var buffer = ReorderBuffer<Int64>(after: 10)
        #expect(buffer.offer(14, at: 14, after: 12).isEmpty, "Exercise 05.3: an item whose predecessor is missing waits")
        #expect(buffer.gap == .init(after: 10, through: 12), "the gap to pull is (10, 12]")
        #expect(buffer.offer(12, at: 12, after: 10) == [12, 14], "Exercise 05.3: the missing item releases the chain in order")
        #expect(buffer.gap == nil)
    }

    @Test("shuffled delivery with every item sent twice comes out once, in order", arguments: 1...5)
    func shuffledWithDuplicates(round: Int) {
        let chain = Self.chain(count: 300)
        var buffer = ReorderBuffer<Int64>()
        var delivered: [Int64] = []
        for item in (chain + chain).shuffled() {
            delivered += buffer.offer(item.seq, at: item.seq, after: item.previous)
        }
        #expect(delivered == chain.map(\.seq), "Exercise 05.3: round \(round): every item once, in chain order")
        #expect(buffer.waitingCount == 0 && buffer.gap == nil)
    }

    @Test("lossy delivery: the gaps are pulled from the server until everything is delivered (05.3)")
    func lossyDeliveryIsRepairedByPulling() {
        let chain = Self.chain(count: 400)
        let server = chain  // what a pull of a range returns
        var buffer = ReorderBuffer<Int64>()
        var delivered: [Int64] = []
        var pulls = 0
        for item in chain.shuffled() where Int.random(in: 0..<10) >= 3 {  // 30 % lost
            delivered += buffer.offer(item.seq, at: item.seq, after: item.previous)
        }
        // The last item may itself have been lost; a real client learns the head from sync/hello.
        let head = chain.last!.seq
        while buffer.position < head {
            pulls += 1
            let gap = buffer.gap ?? .init(after: buffer.position, through: head)
            for item in server where item.seq > gap.after && item.seq <= gap.through {
                delivered += buffer.offer(item.seq, at: item.seq, after: item.previous)
            }
            if pulls > 1_000 { break }
        }
        #expect(delivered == chain.map(\.seq), "Exercise 05.3: after pulling the gaps, everything once and in order")
        #expect(pulls > 0, "the loss made the client pull")
    }

    @Test("skipping to a new position releases what waited behind it (05.3)")
    func skip() {
        var buffer = ReorderBuffer<Int64>(after: 3)
        _ = buffer.offer(9, at: 9, after: 8)
        #expect(buffer.skip(to: 8) == [9], "a reset to 8 lets the item after 8 through")
        #expect(buffer.position == 9)
    }
}
