// Lesson 04 tests, part 3: the window's driver on the real clock.

import IMDelivery
import IMTestSupport
import Synchronization
import Testing

@Suite("04 Push scheduler")
struct PushSchedulerTests {
    /// A flag one task sets and another reads.
    final class Flag: Sendable {
        private let state = Mutex(false)
        func set() { state.withLock { $0 = true } }
        var isSet: Bool { state.withLock { $0 } }
    }

    @Test("close() ends a timer that sleeps towards a far deadline at once, and nothing is re-sent")
    func closeWakesASleepingTimer() async {
        let sent = Mutex<[UInt64]>([])
        let scheduler = PushScheduler<String>(
            policy: RetryPolicy(firstCheck: .seconds(60)), send: { id, _ in sent.withLock { $0.append(id) } },
            giveUp: { _ in })
        let ended = Flag()
        let timer = Task {
            await scheduler.run()
            ended.set()
        }
        scheduler.push("hello")
        try? await Task.sleep(for: .milliseconds(50))  // the timer is now asleep until +60 s
        scheduler.close()
        #expect(
            await eventually(timeout: .seconds(5)) { ended.isSet },
            "the timer of a closed connection stops without waiting for its 60 s deadline")
        #expect(sent.withLock { $0 } == [1], "the push was sent once and never repeated")
        timer.cancel()
    }
}
