// LESSON 03 STARTER, generated from Solutions/IMGateway/WebSocket/EventLoopTaskExecutor.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03 (performance): a task that runs on a connection's own event loop.
//
// A connection's requests are answered by a task. On Swift's global executor that task starts on
// another thread than the socket's, comes back to yet another after each `await` (the commit of a
// send), and every answer then hops back to the event loop to be written. With this executor as
// the task's preference, the task starts, resumes and writes on the event loop itself: two
// thread hand-overs fewer per request (at 1,700 msg/s: p99 ACK latency 21 -> 13 ms, 5 % less CPU;
// docs/BENCHMARKS.md, before/after 14).

import NIOCore

/// Runs the jobs of tasks that prefer it on one NIO event loop.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
