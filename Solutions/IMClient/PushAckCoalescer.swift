// Lesson 20: one ACK for a burst of pushes.
//
// When one message fans out to a group, a device can get dozens of pushes in a moment, and one
// `pushAck` per push would double the frames on the uplink. On one ordered connection, holding
// push N means holding every push before it, so the client acknowledges cumulatively: it notes
// the highest push id it has, and the writer sends a single `pushAck {"upTo": N}` whenever it
// gets to it. The busier the connection, the more pushes each ACK covers; no timer is needed.

import IMCore
import Synchronization

/// The highest push id received and not acknowledged yet.
final class PushAckCoalescer: Sendable {
    private let highest = Mutex<UInt64?>(nil)

    /// Notes a received push. Returns true when no ACK was waiting: the caller queues one flush.
    func received(_ pushID: UInt64) -> Bool {
        highest.withLock { highest in
            defer { highest = max(highest ?? 0, pushID) }
            return highest == nil
        }
    }

    /// The ACK to write now, covering every push received so far, or nil when it was sent already.
    func take() -> ClientFrame? {
        highest.withLock { highest in
            defer { highest = nil }
            return highest.map { .pushAcks(upTo: $0) }
        }
    }
}
