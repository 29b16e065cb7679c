// LESSON 04 STARTER, generated from Solutions/IMDelivery/Wakeup.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 04: how the push clocks sleep while there is nothing to check.

import Synchronization

/// One parked task and the call that wakes it. The parker and the waker both take the
/// continuation out under the lock, so it is resumed exactly once, whoever comes first.
final class Wakeup: Sendable {
    private let parked = Mutex<CheckedContinuation<Void, Never>?>(nil)

    /// Parks until `wake()` or cancellation, unless `isReady()` is already true. The waker must
    /// make `isReady()` true before it calls `wake()`.
    func park(unless isReady: @Sendable () -> Bool) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                parked.withLock { $0 = continuation }
                if isReady() || Task.isCancelled { wake() }
            }
        } onCancel: {
            wake()
        }
    }

    /// Resumes the parked task, if there is one.
    func wake() {
        parked.withLock { parked -> CheckedContinuation<Void, Never>? in
            defer { parked = nil }
            return parked
        }?.resume()
    }
}
