// LESSON 20 STARTER, generated from Solutions/IMGroup/MemberPosition.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 20: read diffusion's bookkeeping — what one member may see, and what is unread for it.
//
// A group message is stored once, numbered by the group's own seq. Nothing is written per
// member when it is sent. Instead each member keeps three numbers:
//
//   joinSeq   the group's last seq when the member joined: it sees messages above it
//   readSeq   how far the member has read (all its devices share it)
//   leftSeq   the group's last seq when the member was removed or left (nil while a member):
//             it sees nothing above it
//
// Everything a member may read, and its unread count, follows from these and the group's last
// seq. Unread is computed, never counted message by message.

import CourseSupport
import IMCore

/// One member's positions in one group.
public struct MemberPosition: Hashable, Sendable, Codable {
    public var joinSeq: Int64
    public var readSeq: Int64
    public var leftSeq: Int64?

    public init(joinSeq: Int64, readSeq: Int64, leftSeq: Int64? = nil) {
        self.joinSeq = joinSeq
        self.readSeq = readSeq
        self.leftSeq = leftSeq
    }

    /// Whether the member is in the group now (may post, gets pushes).
    public var isActive: Bool { leftSeq == nil }

    /// What this member may read when the group's last seq is `lastSeq` (the seqs above `after`, up
    /// to and including `through`; none when they are equal), and how many of those it has not read.
    public func view(lastSeq: Int64) -> (after: Int64, through: Int64, unread: Int) {
        // BEGIN EXERCISE 20.1: Bound what a member sees (above its join seq, up to its leave seq or the group's last) and compute its unread count from the positions.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 20
        _ = Exercise.notImplemented("20.1", expected: "after = joinSeq, through = leftSeq (when set) or lastSeq, unread = through − max(readSeq, joinSeq) and never below 0")
        return (after: 0, through: lastSeq, unread: 0)
        // END EXERCISE 20.1
    }

    /// The seqs this member may read: above `after`, up to and including `through`.
    public func visible(lastSeq: Int64) -> (after: Int64, through: Int64) {
        let view = view(lastSeq: lastSeq)
        return (view.after, view.through)
    }

    /// Messages this member has not read: the visible ones above its read position.
    public func unread(lastSeq: Int64) -> Int { view(lastSeq: lastSeq).unread }
}
