// LESSON 03 STARTER, generated from Solutions/IMGateway/Sessions/PushTracking.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03 leaves a seam here for lesson 04: how pushes on one connection are tracked.
//
// The gateway does not know about ACK windows and retries; lesson 04's module does. The server
// composes them: it hands the gateway a factory, and every WebSocket gets a tracker from it.
// Without one, pushes are best effort (the lesson 03 behaviour).

import IMCore

/// Tracks the pushes of one connection until the client acknowledges them.
public protocol PushTracker: Sendable {
    /// Sends `entry` to the client, asking for an ACK.
    func push(_ entry: TimelineEntry)
    /// The client acknowledged `pushID`.
    func acknowledge(_ pushID: UInt64)
    /// The client acknowledged every push up to `pushID` (one cumulative ACK for a burst).
    func acknowledge(upTo pushID: UInt64)
    /// Stops tracking (the connection is closing). The tracker's clock is the factory's business.
    func close()
}

/// Makes a tracker for each new connection.
public protocol PushTrackerFactory: Sendable {
    /// - Parameters:
    ///   - send: writes a frame to the connection.
    ///   - giveUp: called when a push ran out of retries; the connection is then closed.
    func makeTracker(send: @escaping @Sendable (ServerFrame) -> Void, giveUp: @escaping @Sendable (String) -> Void)
        -> any PushTracker
}
