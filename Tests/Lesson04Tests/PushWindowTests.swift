// Lesson 04 tests, part 1: the push window as a pure state machine — no sockets, no clock.

import IMDelivery
import Testing

@Suite("04 Push window (pure)")
struct PushWindowTests {
    let policy = RetryPolicy(firstCheck: .seconds(5), retryInterval: .seconds(2), maxRetries: 2)

    @Test("an acknowledged push is removed once; unknown and repeated ACKs change nothing")
    func acknowledge() {
        var window = PushWindow<String>(policy: policy)
        let first = window.push("a", now: .zero)
        let second = window.push("b", now: .zero)
        #expect(first == 1 && second == 2, "push ids count up per connection")
        let acknowledged = window.acknowledge(first)
        #expect(acknowledged, "PushWindow.acknowledge: acknowledging a pending push returns true")
        #expect(window.pendingIDs == [second], "PushWindow.acknowledge: the acknowledged push leaves the window, the other stays")
        let repeated = window.acknowledge(first)
        #expect(!repeated, "PushWindow.acknowledge: a repeated ACK returns false")
        let unknown = window.acknowledge(99)
        #expect(!unknown, "PushWindow.acknowledge: an ACK of an id never sent returns false")
        #expect(window.pendingCount == 1, "PushWindow.acknowledge: unknown ACKs change nothing")
    }

    @Test("a cumulative ACK settles every push up to its number at once; later pushes keep waiting")
    func cumulativeAcknowledgement() {
        var window = PushWindow<String>(policy: policy)
        for payload in ["a", "b", "c", "d"] { _ = window.push(payload, now: .zero) }
        _ = window.acknowledge(2)
        #expect(window.acknowledge(upTo: 3) == 2, "PushWindow.acknowledge(upTo:): pushes 1 and 3 were still pending")
        #expect(window.pendingIDs == [4], "PushWindow.acknowledge(upTo:): only the push above the number waits")
        #expect(window.acknowledge(upTo: 3) == 0, "PushWindow.acknowledge(upTo:): a repeated cumulative ACK changes nothing")
    }

    @Test("04.2 an unacknowledged push is re-sent twice, 2 s apart, then given up")
    func retriesThenGivesUp() {
        var window = PushWindow<String>(policy: policy)
        let id = window.push("hello", now: .zero)
        #expect(window.tick(now: .seconds(4)).isEmpty, "Exercise 04.2: nothing is due before the first check (5 s)")

        let firstRetry = window.tick(now: .seconds(5))
        guard case .resend(id, "hello")? = firstRetry.first, firstRetry.count == 1 else {
            Issue.record("Exercise 04.2: at 5 s the push is re-sent with the same id; got \(firstRetry)")
            return
        }
        #expect(window.tick(now: .seconds(6)).isEmpty, "Exercise 04.2: the next check is retryInterval (2 s) later")
        let secondRetry = window.tick(now: .seconds(7))
        guard case .resend(id, _)? = secondRetry.first else {
            Issue.record("Exercise 04.2: at 7 s the second re-push; got \(secondRetry)")
            return
        }
        let exhausted = window.tick(now: .seconds(9))
        guard case .giveUp(let ids)? = exhausted.first, ids == [id] else {
            Issue.record("Exercise 04.2: after 2 re-pushes the push is given up; got \(exhausted)")
            return
        }
        #expect(window.pendingCount == 0, "Exercise 04.2: a given-up push leaves the window")
        #expect(window.tick(now: .seconds(60)).isEmpty, "Exercise 04.2: nothing more happens afterwards")
    }

    @Test("04.2 acknowledged pushes are never re-sent; overdue ones go in id order")
    func onlyTheUnacknowledgedAreResent() {
        var window = PushWindow<Int>(policy: policy)
        let ids = (1...4).map { window.push($0, now: .zero) }
        window.acknowledge(ids[1])
        window.acknowledge(ids[3])
        let actions = window.tick(now: .seconds(5))
        let resent = actions.compactMap { action -> UInt64? in
            if case .resend(let id, _) = action { id } else { nil }
        }
        #expect(resent == [ids[0], ids[2]], "Exercise 04.2: only pending pushes are re-sent, oldest first")
        #expect(window.nextDeadline == .seconds(7), "Exercise 04.2: their next check is now + retryInterval")
    }

    @Test("04.2 with no retries configured, an overdue push is given up at the first check")
    func zeroRetries() {
        var window = PushWindow<Int>(policy: RetryPolicy(firstCheck: .seconds(1), retryInterval: .seconds(1), maxRetries: 0))
        let id = window.push(1, now: .zero)
        let actions = window.tick(now: .seconds(1))
        guard case .giveUp([id])? = actions.first, actions.count == 1 else {
            Issue.record("Exercise 04.2: maxRetries 0 gives up at once; got \(actions)")
            return
        }
    }

    @Test("the client's duplicate filter drops repeats and forgets the oldest beyond its capacity")
    func duplicateFilter() {
        var filter = DuplicateFilter<Int>(capacity: 3)
        let answers = [1, 2, 3, 2, 4, 1, 4].map { filter.isFirstDelivery(of: $0) }
        // 2 repeats; 4 is new; 1 was forgotten to make room for 4; 4 repeats.
        #expect(answers == [true, true, true, false, true, true, false], "repeats dropped, oldest forgotten; got \(answers)")
    }
}
