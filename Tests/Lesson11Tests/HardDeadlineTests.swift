// Lesson 11 tests (the IM's client library): a request never outlives its deadline, even when the
// HTTP library under it does not return (the im-faults stall, docs/SECURITY.md).

import Testing

@testable import IMClient

@Suite("11 Client deadlines", .timeLimit(.minutes(1)))
struct HardDeadlineTests {
    /// Never returns and ignores cancellation: a call stuck as the AsyncHTTPClient request was.
    static func stuckForever() async -> Int {
        await withCheckedContinuation { (_: CheckedContinuation<Int, Never>) in }
    }

    @Test("a call that never returns and ignores cancellation still ends at the deadline, as timedOut")
    func stuckCallTimesOut() async throws {
        do {
            let value = try await withHardDeadline(.milliseconds(200), "a stuck call") { await Self.stuckForever() }
            Issue.record("a call that never returns cannot produce \(value)")
        } catch IMClientError.timedOut(let what) {
            #expect(what == "a stuck call", "the error names what timed out")
        }
    }

    @Test("a call that returns in time gives its result; one that throws gives its error")
    func resultsPassThrough() async throws {
        #expect(try await withHardDeadline(.seconds(10), "quick") { 42 } == 42)
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await withHardDeadline(.seconds(10), "refused") { throw Refused() } }
    }

    @Test("cancelling the caller ends its wait at once, even while the call is stuck")
    func cancellationEndsTheWait() async throws {
        let caller = Task { try await withHardDeadline(.seconds(3600), "a stuck call") { await Self.stuckForever() } }
        try await Task.sleep(for: .milliseconds(50))
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
    }
}
