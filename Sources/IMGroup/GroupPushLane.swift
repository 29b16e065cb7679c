// LESSON 20 STARTER, generated from Solutions/IMGroup/GroupPushLane.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 20: acknowledge first, fan out after.
//
// A group message is safe once it is stored: that is when the sender gets its answer. Pushing it
// to thousands of members is a hint that can come a moment later, so the sender should not wait
// for it. Pushes are handed to this lane, and one task works through them in the order they were
// handed in. (Order matters little: a device orders a group's messages by seq and pulls a gap.)
// The lane is a ServiceLifecycle service; at shutdown it finishes what it holds, then stops.

import IMCore
import ServiceLifecycle

/// A queue of fan-out passes, worked through by one task.
public final class GroupPushLane: Service, Sendable {
    private let jobs: AsyncStream<@Sendable () async -> Void>
    private let continuation: AsyncStream<@Sendable () async -> Void>.Continuation

    public init() {
        (jobs, continuation) = AsyncStream.makeStream(of: (@Sendable () async -> Void).self)
    }

    /// Hands a pass to the lane; it runs after the ones handed before it.
    func enqueue(_ job: @escaping @Sendable () async -> Void) {
        continuation.yield(job)
    }

    public func run() async {
        await withGracefulShutdownHandler {
            for await job in jobs { await job() }
        } onGracefulShutdown: { [continuation] in
            continuation.finish()  // what was handed in still runs; nothing new is taken
        }
    }
}
