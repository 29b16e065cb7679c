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
// holding 100,000 mostly idle sockets should not hold 100,000 sleeping timers too.
//
// Pure: time comes in as a parameter.

import CourseSupport
import IMCore

/// When each connection was last heard from.
public struct IdleLedger: Sendable {
    public let idleTimeout: Duration
    private var lastHeard: [ConnectionID: Duration] = [:]

    public init(idleTimeout: Duration) {
        self.idleTimeout = idleTimeout
    }

    /// How many connections are tracked.
    public var count: Int { lastHeard.count }

    /// Whether `connection` is tracked.
    public func contains(_ connection: ConnectionID) -> Bool { lastHeard[connection] != nil }

    /// `connection` was heard from at `now` (opened, or sent a frame).
    public mutating func heard(from connection: ConnectionID, at now: Duration) {
        lastHeard[connection] = now
    }

    /// `connection` is gone; forget it.
    public mutating func remove(_ connection: ConnectionID) {
        lastHeard[connection] = nil
    }

    /// Removes and returns the connections silent for longer than the idle timeout at `now`.
    public mutating func sweep(at now: Duration) -> [ConnectionID] {
        // BEGIN EXERCISE 08.3: Take out every connection whose last frame is older than idleTimeout at `now`, and return them.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 08
        _ = Exercise.notImplemented("08.3", expected: "the connections silent for longer than idleTimeout removed and returned")
        return []
        // END EXERCISE 08.3
    }
}
