// Lesson 13 tests, part 1: the tunnel's two state machines, pure — no sockets, no clock.

import IMTunnel
import Testing

@Suite("13 Tunnel queues (pure)")
struct TunnelStateTests {
    @Test("13.1 a poll gets the frames after its `after`, in order, at most `limit` of them")
    func takeInOrder() {
        var queue = DownQueue<String>()
        let numbers = ["a", "b", "c", "d"].map { queue.append($0) }
        #expect(numbers == [1, 2, 3, 4], "frames are numbered 1, 2, 3, … per session")
        let first = queue.take(after: 0, limit: 3)
        #expect(first.map(\.seq) == [1, 2, 3], "Exercise 13.1: the oldest `limit` frames, in order; got \(first.map(\.seq))")
        #expect(first.map(\.frame) == ["a", "b", "c"], "Exercise 13.1: each frame with its own number")
        let rest = queue.take(after: 3, limit: 3)
        #expect(rest.map(\.seq) == [4], "Exercise 13.1: after=3 acknowledges 1…3 and hands out the rest; got \(rest.map(\.seq))")
        #expect(queue.count == 1 && queue.acknowledged == 3, "Exercise 13.1: acknowledged frames are dropped")
    }

    @Test("13.1 a repeated poll (its answer was lost) gets the same frames again")
    func lostAnswerIsRepeated() {
        var queue = DownQueue<Int>()
        for value in 1...5 { _ = queue.append(value) }
        let answer = queue.take(after: 0, limit: 10)
        let again = queue.take(after: 0, limit: 10)
        #expect(again.map(\.seq) == answer.map(\.seq), "Exercise 13.1: nothing is dropped before it is acknowledged")
        #expect(queue.take(after: 2, limit: 10).map(\.seq) == [3, 4, 5], "Exercise 13.1: after=2 drops 1 and 2")
        let old = queue.take(after: 1, limit: 10)
        #expect(old.map(\.seq) == [3, 4, 5], "Exercise 13.1: an older `after` drops nothing more and brings nothing back")
        #expect(queue.acknowledged == 2, "Exercise 13.1: acknowledgement never moves backwards")
    }

    @Test("13.1 an acknowledgement beyond what was sent drops only what was sent")
    func acknowledgementBeyondTheEnd() {
        var queue = DownQueue<Int>()
        _ = queue.append(1)
        _ = queue.append(2)
        #expect(queue.take(after: 99, limit: 10).isEmpty, "Exercise 13.1: everything sent is acknowledged")
        #expect(queue.acknowledged == 2, "Exercise 13.1: acknowledged stops at lastSeq (2); got \(queue.acknowledged)")
        _ = queue.append(3)
        #expect(queue.take(after: 2, limit: 10).map(\.frame) == [3], "Exercise 13.1: a frame sent later is still handed out")
    }

    @Test("13.1 a full queue refuses frames")
    func capacity() {
        var queue = DownQueue<Int>(capacity: 2)
        #expect(queue.append(1) == 1 && queue.append(2) == 2)
        #expect(queue.append(3) == nil, "a queue at capacity refuses (the session then ends)")
        _ = queue.take(after: 1, limit: 1)
        #expect(queue.append(3) == 3, "Exercise 13.1: acknowledged frames free their room")
    }

    @Test("13.2 uploads are applied once each, in order")
    func uploadLedger() {
        var ledger = UploadLedger()
        #expect(ledger.admit(1) == .apply, "Exercise 13.2: the first upload (1) is applied")
        #expect(ledger.admit(1) == .duplicate, "Exercise 13.2: a retried upload 1 is a duplicate")
        #expect(ledger.admit(2) == .apply, "Exercise 13.2: upload 2 follows 1")
        #expect(ledger.admit(1) == .duplicate, "Exercise 13.2: an old number is still a duplicate")
        #expect(ledger.admit(4) == .outOfOrder(expected: 3), "Exercise 13.2: upload 4 with 3 missing is refused; 3 expected")
        #expect(ledger.lastApplied == 2, "Exercise 13.2: a refused upload is not recorded")
        #expect(ledger.admit(0) == .outOfOrder(expected: 3), "Exercise 13.2: 0 is never a valid upload number")
        #expect(ledger.admit(3) == .apply, "Exercise 13.2: after the refusal, 3 is still applied")
    }
}
