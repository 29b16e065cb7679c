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

@Suite("04 Shared push timer")
struct PushTimerTests {
    @Test("one timer re-sends the overdue pushes of every watched window, gives up, and forgets settled windows (04.2)")
    func sharedTimerDrivesManyWindows() async throws {
        let timer = PushTimer(configuration: .init(tick: .milliseconds(10)))
        let running = Task { try await timer.run() }
        defer { running.cancel() }
        let policy = RetryPolicy(firstCheck: .milliseconds(100), retryInterval: .milliseconds(100), maxRetries: 1)
        let sent = Mutex<[String]>([])
        let givenUp = Mutex<[String]>([])
        func scheduler(_ name: String) -> PushScheduler<String> {
            PushScheduler<String>(
                policy: policy, timer: timer, send: { id, payload in sent.withLock { $0.append("\(payload)#\(id)") } },
                giveUp: { _ in givenUp.withLock { $0.append(name) } })
        }
        let acknowledging = scheduler("acknowledging")
        let silent = scheduler("silent")
        #expect(timer.watchedCount == 0, "nothing is watched before a push")
        acknowledging.push("a")
        silent.push("s")
        #expect(timer.watchedCount == 2, "a window with a push waiting is watched")
        #expect(acknowledging.acknowledge(1))

        #expect(
            await eventually(timeout: .seconds(5)) { givenUp.withLock { $0 } == ["silent"] },
            "the silent window is given up after its one retry")
        #expect(sent.withLock { $0.filter { $0 == "s#1" }.count } == 2, "its push went out twice: first and retry")
        #expect(sent.withLock { $0.filter { $0 == "a#1" }.count } == 1, "the acknowledged push was never repeated")
        #expect(await eventually(timeout: .seconds(5)) { timer.watchedCount == 0 }, "settled windows are no longer watched")

        silent.push("late")
        #expect(sent.withLock { !$0.contains { $0.hasPrefix("late") } }, "a given-up window sends nothing more")
        acknowledging.push("b")
        #expect(timer.watchedCount == 1, "a new push watches its window again")
    }
}
