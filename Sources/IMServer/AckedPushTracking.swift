// LESSON 11 STARTER, generated from Solutions/IMServer/AckedPushTracking.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// The IM assembled: lesson 04's push window plugged into lesson 03's gateway.

import IMCore
import IMDelivery
import IMGateway

/// Gives every WebSocket a `PushScheduler`: pushes carry ids, are repeated until acknowledged,
/// and a connection that never acknowledges is closed (its device re-syncs when it comes back).
/// One `PushTimer`, a service of the server, ticks every window that waits for an ACK.
struct AckedPushTracking: PushTrackerFactory {
    let policy: RetryPolicy
    let timer: PushTimer

    func makeTracker(send: @escaping @Sendable (ServerFrame) -> Void, giveUp: @escaping @Sendable (String) -> Void)
        -> any PushTracker
    {
        let scheduler = PushScheduler<TimelineEntry>(
            policy: policy, timer: timer,
            send: { pushID, entry in send(.push(pushID: pushID, entry)) },
            // A close reason must fit in 123 bytes: name the first id and the count.
            giveUp: { pushIDs in giveUp("\(pushIDs.count) push(es) from id \(pushIDs.min() ?? 0) not acknowledged") })
        return Tracker(scheduler: scheduler)
    }

    struct Tracker: PushTracker {
        let scheduler: PushScheduler<TimelineEntry>
        func push(_ entry: TimelineEntry) { scheduler.push(entry) }
        func acknowledge(_ pushID: UInt64) { scheduler.acknowledge(pushID) }
        func acknowledge(upTo pushID: UInt64) { scheduler.acknowledge(upTo: pushID) }
        func close() { scheduler.close() }
    }
}
