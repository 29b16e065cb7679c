// A deadline that holds even when the awaited call does not.
//
// AsyncHTTPClient bounds a request by its deadline, and a cancelled task cancels the request. A
// tool driving a server that is being killed (im-faults) must never hang, whatever a dependency
// does in a corner case; an earlier investigation suspected a request waiting past its deadline
// (docs/SECURITY.md, "The im-faults stall"). So the call runs in a task of its own, and when the
// deadline passes first the caller gets `timedOut` at once, while the call is cancelled and left
// to end whenever it does.

import Synchronization

/// Runs `operation` and returns its result, or throws `IMClientError.timedOut(what)` once
/// `timeout` has passed, whether or not the operation honours cancellation. Cancelling the caller
/// ends the wait at once, with `CancellationError`.
func withHardDeadline<Result: Sendable>(
    _ timeout: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    let race = DeadlineRace<Result>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(continuation, timeout: timeout, what: what, operation: operation)
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The continuation, resumed once by whichever comes first: the result, the deadline, a cancel.
private final class DeadlineRace<Result: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result, any Error>?
        var finished: Swift.Result<Result, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
    }
    private let state = Mutex(State())

    func start(
        _ continuation: CheckedContinuation<Result, any Error>, timeout: Duration, what: String,
        operation: @escaping @Sendable () async throws -> Result
    ) {
        let cancelledEarly = state.withLock { state -> Swift.Result<Result, any Error>? in
            if let finished = state.finished { return finished }
            state.continuation = continuation
            return nil
        }
        if let cancelledEarly {
            continuation.resume(with: cancelledEarly)
            return
        }
        let work = Task {
            do {
                finish(.success(try await operation()))
            } catch {
                finish(.failure(error))
            }
        }
        let timer = Task {
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            finish(.failure(IMClientError.timedOut(what)))
        }
        let alreadyFinished = state.withLock { state -> Bool in
            state.work = work
            state.timer = timer
            return state.finished != nil
        }
        if alreadyFinished {
            work.cancel()
            timer.cancel()
        }
    }

    /// Resumes the caller with `result` unless something came first; stops the other racers.
    func finish(_ result: Swift.Result<Result, any Error>) {
        let (continuation, work, timer) = state.withLock { state in
            guard state.finished == nil else {
                return (CheckedContinuation<Result, any Error>?.none, Task<Void, Never>?.none, Task<Void, Never>?.none)
            }
            state.finished = result
            defer { state.continuation = nil }
            return (state.continuation, state.work, state.timer)
        }
        work?.cancel()
        timer?.cancel()
        continuation?.resume(with: result)
    }
}
