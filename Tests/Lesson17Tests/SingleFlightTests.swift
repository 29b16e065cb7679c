// Lesson 17 tests, part 3: single-flight loading against stampedes (17.3). No I/O.

import IMCache
import IMTestSupport
import Synchronization
import Testing

/// A load that waits until the test opens it, counting how often it ran. Any number of loads
/// may wait at once (a stubbed single flight starts many).
final class GatedLoad: Sendable {
    let runs = Atomic<Int>(0)
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for waiter in waiting { waiter.resume() }
    }

    func load(_ value: Int) async throws -> Int {
        runs.add(1, ordering: .relaxed)
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.open { return true }
                state.waiting.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
        return value
    }
}

struct LoadFailed: Error {}

@Suite("17.3 Single flight")
struct SingleFlightTests {
    @Test("17.3: 50 callers missing one key at once share one load and all get its value")
    func oneLoadPerKey() async throws {
        let flights = SingleFlight<String, Int>()
        let load = GatedLoad()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 { group.addTask { try await flights.run("user:1") { try await load.load(7) } } }
            let joined = await eventually { await flights.sharedWaits == 49 }
            let waiting = await flights.sharedWaits
            #expect(joined, "Exercise 17.3: 49 callers wait for the first one's load; saw \(waiting)")
            load.open()
            var values: [Int] = []
            for try await value in group { values.append(value) }
            #expect(values == Array(repeating: 7, count: 50), "Exercise 17.3: every caller gets the one load's value")
        }
        #expect(load.runs.load(ordering: .relaxed) == 1, "Exercise 17.3: the store was read once, not 50 times")
        let (started, loading) = (await flights.loadsStarted, await flights.loading)
        #expect(started == 1 && loading == 0, "Exercise 17.3: one load, then forgotten")
    }

    @Test("17.3: different keys load side by side; a finished key loads afresh")
    func keysAreIndependent() async throws {
        let flights = SingleFlight<String, Int>()
        async let a = flights.run("a") { 1 }
        async let b = flights.run("b") { 2 }
        #expect(try await [a, b] == [1, 2], "Exercise 17.3: each key its own value")
        #expect(try await flights.run("a") { 3 } == 3, "Exercise 17.3: a later call after the load ended loads again")
        #expect(await flights.loadsStarted == 3, "Exercise 17.3: three loads in all")
    }

    @Test("17.3: a failed load fails every caller that shared it, and is not remembered")
    func failureIsShared() async throws {
        let flights = SingleFlight<String, Int>()
        let gate = GatedLoad()
        let first = Task {
            try await flights.run("k") {
                _ = try await gate.load(0); throw LoadFailed()
            }
        }
        #expect(await eventually { await flights.loading == 1 }, "Exercise 17.3: the first load is running")
        let second = Task { try await flights.run("k") { 99 } }
        #expect(await eventually { await flights.sharedWaits == 1 }, "Exercise 17.3: the second caller joins it")
        gate.open()
        await #expect(throws: LoadFailed.self, "the first caller gets the failure") { try await first.value }
        await #expect(throws: LoadFailed.self, "Exercise 17.3: the caller that joined gets the same failure") {
            try await second.value
        }
        #expect(try await flights.run("k") { 5 } == 5, "Exercise 17.3: the failure is not kept: the next call loads")
    }
}
