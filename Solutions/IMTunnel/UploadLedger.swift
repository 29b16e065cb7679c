// Lesson 13: the upstream half of a tunnel — a retried POST must not be applied twice.
//
// A client POSTs a batch of frames and waits for the answer. If the answer is lost, the client
// cannot know whether the server applied the batch, so it sends the same batch again. The
// client numbers its batches 1, 2, 3, … and sends one at a time; the server remembers the last
// number it applied. A repeat is recognised by its number and answered without being applied.
// (The `clientMsgID` of lesson 04 already makes a repeated `send` harmless; this also covers
// `read`, `pushAck` and `sync`, and keeps the answers from being queued twice.)
//
// This is the pure state machine: no clock, no I/O.

import CourseSupport

/// What to do with an upload.
public enum UploadDecision: Hashable, Sendable {
    /// The next batch: apply it.
    case apply
    /// Already applied: answer as before, change nothing.
    case duplicate
    /// A batch is missing before this one (a client bug): refuse it; `expected` is the next number.
    case outOfOrder(expected: UInt64)
}

/// The upload numbers of one tunnel session.
public struct UploadLedger: Hashable, Sendable {
    /// The number of the last batch applied (0 before the first).
    public private(set) var lastApplied: UInt64 = 0

    public init() {}

    /// Decides about the batch numbered `seq` and records it when it is to be applied.
    public mutating func admit(_ seq: UInt64) -> UploadDecision {
        // BEGIN EXERCISE 13.2: Apply only the batch after the last one applied (and record it); earlier numbers are duplicates, later ones out of order.
        if seq == lastApplied + 1 {
            lastApplied = seq
            return .apply
        }
        if seq != 0, seq <= lastApplied { return .duplicate }
        return .outOfOrder(expected: lastApplied + 1)
        // STUB: _ = Exercise.notImplemented("13.2", expected: "apply (and record) exactly lastApplied + 1; numbers 1…lastApplied are duplicates; 0 and numbers beyond the next are out of order")
        // STUB: return .outOfOrder(expected: 0)
        // END EXERCISE 13.2
    }
}
