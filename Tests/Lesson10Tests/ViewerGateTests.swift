// Lesson 10 tests: a slow viewer skips batches, is told how many, and is cut off when stuck (pure).

import IMLiveRoom
import Testing

@Suite("10.3 Viewer gate: a slow viewer never slows the room (pure)")
struct ViewerGateTests {
    let limits = ViewerGate.Limits(maxPendingBytes: 1_000, maxStuck: .seconds(5))

    @Test("10.3 a viewer that keeps up gets every batch")
    func keepsUp() {
        var gate = ViewerGate()
        for tick in 0..<5 {
            let decision = gate.admit(posts: 3, pendingBytes: 500, now: .milliseconds(100 * tick), limits: limits)
            #expect(decision == .deliver(missed: nil), "under the byte limit the batch is written (10.3)")
        }
    }

    @Test("10.3 over the limit it skips batches, then hears how many it missed")
    func skipsAndIsTold() {
        var gate = ViewerGate()
        #expect(gate.admit(posts: 3, pendingBytes: 5_000, now: .seconds(1), limits: limits) == .skip, "(10.3)")
        #expect(gate.admit(posts: 4, pendingBytes: 5_000, now: .seconds(2), limits: limits) == .skip, "(10.3)")
        let back = gate.admit(posts: 1, pendingBytes: 0, now: .seconds(3), limits: limits)
        #expect(back == .deliver(missed: MissedCount(batches: 2, posts: 7)), "the next batch says 2 batches, 7 posts (10.3)")
        #expect(
            gate.admit(posts: 1, pendingBytes: 0, now: .seconds(4), limits: limits) == .deliver(missed: nil), "told once (10.3)")
    }

    @Test("10.3 stuck for longer than the limit: disconnected; a short spell starts the clock anew")
    func stuck() {
        var gate = ViewerGate()
        #expect(gate.admit(posts: 1, pendingBytes: 5_000, now: .seconds(10), limits: limits) == .skip)
        #expect(
            gate.admit(posts: 1, pendingBytes: 5_000, now: .seconds(14), limits: limits) == .skip, "4 s stuck: not yet (10.3)")
        _ = gate.admit(posts: 1, pendingBytes: 0, now: .seconds(14.5), limits: limits)
        #expect(
            gate.admit(posts: 1, pendingBytes: 5_000, now: .seconds(16), limits: limits) == .skip,
            "caught up in between: the clock restarts (10.3)")
        #expect(gate.admit(posts: 1, pendingBytes: 5_000, now: .seconds(20), limits: limits) == .skip)
        #expect(
            gate.admit(posts: 1, pendingBytes: 5_000, now: .seconds(21), limits: limits) == .disconnect,
            "5 s stuck: disconnect (10.3)")
    }
}
