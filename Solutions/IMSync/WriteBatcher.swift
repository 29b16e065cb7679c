// Lesson 09 (performance): group commit — many sends, one transaction, one sync to disk.
//
// Under load, sends arrive faster than SQLite can commit them one by one: every commit is a
// write of the WAL and, with `synchronous=FULL`, an fsync. While one batch commits, the next
// requests wait here; they then go in together, each in its own savepoint so that one failing
// request (a bad recipient, a used-up sequence section) does not take the others with it. Each
// caller is answered only after the batch committed: an ACK still means "durable". When traffic
// is steady, a batch may wait a moment for more requests first (`CommitLinger`).

import Dispatch
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
        var lastCommitEnded: ContinuousClock.Instant?
        /// The next batch has waited its linger already.
        var lingered = false
    }

    private let writer: any DatabaseWriter
    private let maximumBatch: Int
    private let linger: CommitLinger
    private let state = Mutex(State())

    init(writer: any DatabaseWriter, maximumBatch: Int = 256, linger: CommitLinger = .off) {
        self.writer = writer
        self.maximumBatch = max(1, maximumBatch)
        self.linger = linger
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
            if startDrain { commitNextBatch() }
        }
    }

    /// Takes what waits and commits it on the writer's queue; the commit's completion, still on
    /// that queue, takes the next batch. No task of our own and no hand-over between two batches:
    /// at a moderate rate, where a batch holds one or two sends, those were a good part of the cost.
    private func commitNextBatch() {
        let (batch, wait) = state.withLock { state -> ([Job], Bool) in
            if !state.lingered,
                linger.shouldWait(waiting: state.waiting.count, sinceLastCommit: state.lastCommitEnded.map { .now - $0 })
            {
                state.lingered = true
                return ([], true)
            }
            state.lingered = false
            let batch = Array(state.waiting.prefix(maximumBatch))
            state.waiting.removeFirst(batch.count)
            if batch.isEmpty { state.draining = false }
            return (batch, false)
        }
        if wait {
            // Requests arriving meanwhile join this batch (nobody else drains while we wait).
            let (seconds, attoseconds) = linger.delay.components
            let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { self.commitNextBatch() }
            return
        }
        guard !batch.isEmpty else { return }
        writer.asyncWrite({ db in try batch.map { job in try Self.run(job, inSavepointOf: db) } }) { _, outcome in
            self.state.withLock { $0.lastCommitEnded = .now }
            switch outcome {
            case .success(let results):
                for (job, result) in zip(batch, results) { job.resume(result) }
            case .failure(let error):
                // The commit failed: nothing of this batch is durable, so nobody gets an answer but the error.
                for job in batch { job.resume(.failure(error)) }
            }
            self.commitNextBatch()
        }
    }

    /// Runs `job` in a savepoint of the batch's transaction: its writes stay if it succeeds and
    /// are undone if it throws; its outcome is returned either way. Throws only when the savepoint
    /// itself cannot be opened or closed: then the transaction is unusable and the batch fails.
    ///
    /// The savepoint statements are prepared once per connection: GRDB's `inSavepoint` compiles
    /// them again for every job.
    private static func run(_ job: Job, inSavepointOf db: Database) throws -> Result<any Sendable, any Error> {
        try db.cachedStatement(sql: "SAVEPOINT batched_job").execute()
        let outcome: Result<any Sendable, any Error>
        do {
            outcome = .success(try job.body(db))
        } catch {
            try db.cachedStatement(sql: "ROLLBACK TRANSACTION TO SAVEPOINT batched_job").execute()
            outcome = .failure(error)
        }
        try db.cachedStatement(sql: "RELEASE SAVEPOINT batched_job").execute()
        return outcome
    }
}
