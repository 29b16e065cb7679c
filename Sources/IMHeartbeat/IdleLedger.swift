// LESSON 08 STARTER, generated from Solutions/IMHeartbeat/IdleLedger.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 08: the server side of the heartbeat — who has been silent too long?
//
// A dead client (a phone in a lift, a laptop closed, a NAT that forgot the flow) keeps its entry
// in the session map and its socket open: the server would push into a void and count a user
// online who is not. So the server records when it last heard from each connection and, now and
// then, sweeps out those silent for longer than the idle timeout. The timeout must exceed the
// clients' heartbeat interval (plus the time a heartbeat takes), or healthy clients get cut.
//
// One ledger and one sweep for all connections, rather than a timer per connection: a gateway
// holding 100,000 mostly idle sockets should not hold 100,000 sleeping timers too. And the sweep
// must not read all 100,000 entries every few seconds either: the ledger is a timing wheel. Each
// connection is filed once, in the slot of the moment it would expire; a sweep opens only the
// slots whose moment has come. A connection heard from since it was filed is not moved on every
// frame (frames are the hot path); the sweep finds it still alive and files it again, further on.
//
// Pure: time comes in as a parameter.

import CourseSupport
import IMCore

/// When each connection was last heard from, filed by when it would expire.
public struct IdleLedger: Sendable {
    public let idleTimeout: Duration
    /// The width of one slot of the wheel: deadlines within one slot are filed together.
    public let slotWidth: Duration
    private var lastHeard: [ConnectionID: Duration] = [:]
    /// The wheel: slot number → the connections filed there (some since removed or heard from).
    private var slots: [Int64: [ConnectionID]] = [:]
    /// How many connections the last sweep looked at: only those filed in slots that were due.
    public private(set) var examinedInLastSweep = 0

    public init(idleTimeout: Duration, slotWidth: Duration = .seconds(1)) {
        self.idleTimeout = idleTimeout
        self.slotWidth = max(slotWidth, .milliseconds(1))
    }

    /// How many connections are tracked.
    public var count: Int { lastHeard.count }

    /// Whether `connection` is tracked.
    public func contains(_ connection: ConnectionID) -> Bool { lastHeard[connection] != nil }

    /// `connection` was heard from at `now` (opened, or sent a frame). O(1): only a new connection
    /// is filed; a known one keeps its slot until a sweep reaches it.
    public mutating func heard(from connection: ConnectionID, at now: Duration) {
        let isNew = lastHeard.updateValue(now, forKey: connection) == nil
        if isNew { file(connection, expiringAt: now + idleTimeout) }
    }

    /// `connection` is gone; forget it. Its filing stays in the wheel, and the sweep skips it.
    public mutating func remove(_ connection: ConnectionID) {
        lastHeard[connection] = nil
    }

    /// The slot of the wheel that holds the moment `time`.
    public func slot(of time: Duration) -> Int64 { Int64((time / slotWidth).rounded(.down)) }

    /// Files `connection` in the slot of `deadline`.
    mutating func file(_ connection: ConnectionID, expiringAt deadline: Duration) {
        slots[slot(of: deadline), default: []].append(connection)
    }

    /// Removes and returns, in id order, the connections silent for longer than the idle timeout
    /// at `now`, looking only in the slots that are due.
    public mutating func sweep(at now: Duration) -> [ConnectionID] {
        // BEGIN EXERCISE 08.3: Open only the slots up to now's: expire whoever is silent past the timeout, file again whoever was heard from since, skip the removed; count what you examined.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 08
        _ = Exercise.notImplemented("08.3", expected: "the connections silent for longer than idleTimeout removed and returned, found by opening only the due slots of the wheel")
        return []
        // END EXERCISE 08.3
    }
}
