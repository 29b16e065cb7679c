// Lesson 10 tests: the per-viewer cap with priorities and sampling (pure, no I/O).

import IMCore
import IMLiveRoom
import Testing

/// Posts numbered from `first`: `comments` comments by user 1, then `gifts` gifts by user 2.
func posts(first: UInt64 = 1, comments: Int, gifts: Int = 0, hostPosts: Int = 0) -> [RoomPost] {
    var seq = first
    var result: [RoomPost] = []
    func add(_ kind: PostKind, host: Bool, from: Int64) {
        result.append(RoomPost(seq: seq, from: UserID(from), kind: kind, host: host, body: "p\(seq)"))
        seq += 1
    }
    for _ in 0..<comments { add(.comment, host: false, from: 1) }
    for _ in 0..<gifts { add(.gift, host: false, from: 2) }
    for _ in 0..<hostPosts { add(.comment, host: true, from: 9) }
    return result
}

@Suite("10.1 Room budget: priorities and sampling (pure)")
struct RoomBudgetTests {
    @Test("10.1 a quiet room keeps every comment")
    func quietRoom() {
        var budget = RoomBudget(perSecond: 20)
        let cut = budget.cut(posts(comments: 2), elapsed: .milliseconds(100))
        #expect(cut.kept.map(\.seq) == [1, 2], "20/s over 100 ms pays for 2 comments (10.1)")
        #expect(cut.sampled == 0)
    }

    @Test("10.1 a busy tick keeps what the cap pays for, spread evenly, and counts the rest")
    func busyTick() {
        var budget = RoomBudget(perSecond: 20)
        let cut = budget.cut(posts(comments: 100), elapsed: .milliseconds(100))
        #expect(cut.kept.count == 2, "20/s over 100 ms keeps 2 of 100 comments (10.1); kept \(cut.kept.count)")
        #expect(cut.sampled == 98, "the batch says how many comments it left out (10.1)")
        #expect(cut.kept.map(\.seq) == [1, 51], "the kept comments are spread over the tick: i·n/k (10.1)")
        #expect(budget.allowance == 0)
    }

    @Test("10.1 gifts and the host's posts survive any sampling, and use the budget up first")
    func priorities() {
        var budget = RoomBudget(perSecond: 20)
        let tick = posts(comments: 50, gifts: 5, hostPosts: 2)
        let cut = budget.cut(tick, elapsed: .milliseconds(100))
        let priority = tick.filter(\.isPriority).map(\.seq)
        #expect(Set(priority).isSubset(of: Set(cut.kept.map(\.seq))), "every gift and host post is kept (10.1)")
        #expect(cut.kept.count == 7, "7 priority posts use up the 2 comments' worth: no comment is kept (10.1)")
        #expect(cut.sampled == 50)
        #expect(cut.kept.map(\.seq) == cut.kept.map(\.seq).sorted(), "kept posts stay in the order posted")
    }

    @Test("10.1 the allowance refills with time, but never beyond one second's worth")
    func refill() {
        var budget = RoomBudget(perSecond: 20)
        let afterMinute = budget.cut(posts(comments: 100), elapsed: .seconds(60))
        #expect(afterMinute.kept.count == 20, "a minute of quiet still pays for one second: 20 (10.1)")
        let next = budget.cut(posts(first: 101, comments: 10), elapsed: .milliseconds(50))
        #expect(next.kept.count == 1, "50 ms at 20/s pays for one comment (10.1)")
        let fraction = budget.cut(posts(first: 111, comments: 10), elapsed: .milliseconds(25))
        #expect(fraction.kept.isEmpty, "25 ms at 20/s is half a comment: none yet (10.1)")
        let rest = budget.cut(posts(first: 121, comments: 10), elapsed: .milliseconds(25))
        #expect(rest.kept.count == 1, "the halves add up exactly (10.1)")
    }

    @Test("10.1 over many ticks every comment is kept or counted, never both")
    func accounting() {
        var budget = RoomBudget(perSecond: 20)
        var seq: UInt64 = 1
        for size in [0, 3, 40, 1, 0, 200, 7] {
            let tick = posts(first: seq, comments: size, gifts: size % 3)
            seq += UInt64(tick.count)
            let cut = budget.cut(tick, elapsed: .milliseconds(100))
            #expect(cut.kept.count + cut.sampled == tick.count, "kept + sampled = posted (10.1)")
            #expect(Set(cut.kept.map(\.seq)).count == cut.kept.count, "no post kept twice (10.1)")
        }
    }
}
