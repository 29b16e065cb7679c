// Lesson 03: long polling without polling the database.
//
// A long-poll request that finds nothing new parks here until the delivery path says "user U
// has something new" or its time runs out. The classic bug is the lost wake-up: a message
// stored between "found nothing" and "parked" would wake nobody, and the client would wait
// for the whole timeout. A per-user change counter closes that gap.

import CourseSupport
import IMCore

/// Parks long-poll requests per user and wakes them when an entry for that user is pushed.
public actor LongPollHub: TimelinePusher {
    private var changes: [UserID: UInt64] = [:]
    private var waiters: [UserID: [UInt64: CheckedContinuation<Void, Never>]] = [:]
    /// The time-out of each parked poll, cancelled as soon as the poll is woken another way.
    private var timers: [UInt64: Task<Void, Never>] = [:]
    private var nextWaiter: UInt64 = 0
    /// Set at shutdown: polls no longer park, so none can hold the shutdown up.
    private var draining = false

    public init() {}

    /// Answers a poll: what `fetch` returns now if anything, otherwise waits until a delivery
    /// for `user` (then fetches again) or until `timeout` (then returns an empty list).
    public func poll(
        for user: UserID, timeout: Duration, fetch: @Sendable () async throws -> [Message]
    ) async throws -> [Message] {
        // BEGIN EXERCISE 03.3: Fetch; if empty, wait for a change since BEFORE the fetch (or the timeout), then fetch again.
        let seen = changes[user, default: 0]
        let messages = try await fetch()
        guard messages.isEmpty, timeout > .zero else { return messages }
        await waitForChange(of: user, since: seen, timeout: timeout)
        return try await fetch()
        // STUB: throw Exercise.notImplemented("03.3", expected: "messages at once when there are some; otherwise woken by the next delivery (no lost wake-up) or empty after the timeout")
        // END EXERCISE 03.3
    }

    /// Returns when `user`'s change counter moves past `seen`, or after `timeout`.
    public func waitForChange(of user: UserID, since seen: UInt64, timeout: Duration) async {
        guard changes[user, default: 0] == seen, !draining else { return }
        nextWaiter += 1
        let id = nextWaiter
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiters[user, default: [:]][id] = continuation
                timers[id] = Task { [weak self] in
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    await self?.wake(waiter: id, of: user)
                }
            }
        } onCancel: {
            Task { [weak self] in await self?.wake(waiter: id, of: user) }
        }
        // Woken by a delivery or a cancellation: the sleeping timer is no longer needed.
        timers.removeValue(forKey: id)?.cancel()
    }

    /// Wakes every parked poll and stops parking new ones (at shutdown): each poll answers with
    /// what it finds, usually nothing.
    public func wakeAll() {
        draining = true
        let parked = waiters
        waiters = [:]
        for continuation in parked.values.flatMap(\.values) { continuation.resume() }
    }

    /// How many requests are parked (for metrics and tests).
    public func parkedCount() -> Int { waiters.values.reduce(0) { $0 + $1.count } }

    public func push(_ entry: TimelineEntry, to user: UserID) async {
        notify(user)
    }

    private func notify(_ user: UserID) {
        changes[user, default: 0] += 1
        guard let parked = waiters.removeValue(forKey: user) else { return }
        for continuation in parked.values { continuation.resume() }
    }

    private func wake(waiter id: UInt64, of user: UserID) {
        // Resumed at most once: whoever removes the continuation resumes it.
        guard let continuation = waiters[user]?.removeValue(forKey: id) else { return }
        if waiters[user]?.isEmpty == true { waiters[user] = nil }
        continuation.resume()
    }
}
