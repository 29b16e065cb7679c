// LESSON 01 STARTER, generated from Solutions/IMCore/Logic/TimelinePusher.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 01: the seam between the logic layer and the access layer.
//
// The logic layer decides WHAT to deliver and to WHOM; the access layer (the in-memory relay of
// this lesson, the gateway of lesson 03) knows HOW to reach a user's devices right now. This
// protocol is all the logic layer sees of it, so connections can come and go, and gateways can
// be restarted, without touching the logic.

/// Hands new timeline entries to the devices of one user.
///
/// A push is a hint, not the record: the entry is already stored in the user's timeline, and a
/// device that was offline, slow or cut off reads it back with `sync`. So a pusher may drop a
/// device that cannot keep up; it must never block the sender waiting for one.
public protocol TimelinePusher: Sendable {
    func push(_ entry: TimelineEntry, to user: UserID) async
}
