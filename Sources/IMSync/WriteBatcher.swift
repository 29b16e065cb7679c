// LESSON 09 STARTER, generated from Solutions/IMSync/WriteBatcher.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 09 (performance): group commit — many sends, one transaction, one sync to disk.
//
// Under load, sends arrive faster than SQLite can commit them one by one: every commit is a
// write of the WAL and, with `synchronous=FULL`, an fsync. While one batch commits, the next
// requests wait here; they then go in together, each in its own savepoint so that one failing
// request (a bad recipient, a used-up sequence section) does not take the others with it. Each
// caller is answered only after the batch committed: an ACK still means "durable".

import GRDB
import IMCore
import Synchronization

/// Runs write jobs in shared transactions, at most `maximumBatch` per transaction.
final class WriteBatcher: Sendable {
    private struct Job: Sendable {
        let body: @Sendable (Database) throws -> any Sendable
        let resume: @Sendable (Result<any Sendable, any Error>) -> Void
    }

    private struct State {
        var waiting: [Job] = []
        var draining = false
    }

    private let writer: any DatabaseWriter
    private let maximumBatch: Int
    private let state = Mutex(State())

    init(writer: any DatabaseWriter, maximumBatch: Int = 256) {
        self.writer = writer
        self.maximumBatch = max(1, maximumBatch)
    }

    /// Runs `body` in the next batch; returns its result once the batch has committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(
                body: { try body($0) },
                resume: { result in
                    switch result {
                    case .success(let value):
                        // The job made this value, so it is a T; still, never leave a caller waiting.
                        guard let value = value as? T else {
                            continuation.resume(throwing: IMError(.internal, "a batched write returned \(type(of: value))"))
                            return
                        }
                        continuation.resume(returning: value)
                    case .failure(let error):
                        continuation.resume(throwing: error)
                    }
                })
            let startDrain = state.withLock { state -> Bool in
                state.waiting.append(job)
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if startDrain { Task { await self.drain() } }
        }
    }

    /// Commits batches until nothing waits.
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Job] in
                let batch = Array(state.waiting.prefix(maximumBatch))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                let results = try await writer.write { db -> [Result<any Sendable, any Error>] in
                    batch.map { job in
                        var outcome: Result<any Sendable, any Error> = .failure(CancellationError())
                        do {
                            try db.inSavepoint {
                                outcome = .success(try job.body(db))
                                return .commit
                            }
                        } catch {
                            outcome = .failure(error)
                        }
                        return outcome
                    }
                }
                for (job, result) in zip(batch, results) { job.resume(result) }
            } catch {
                // The commit failed: nothing of this batch is durable, so nobody gets an answer but the error.
                for job in batch { job.resume(.failure(error)) }
            }
        }
    }
}
