// LESSON 20 STARTER, generated from Solutions/IMGroup/GroupConfiguration.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 20: the settings of groups. Every field has a default that runs.

/// How groups behave. The defaults are the lesson's figures.
public struct GroupConfiguration: Sendable, Hashable {
    /// The most members a group may have at once (the 10,001st is refused with `conflict`).
    public var maxMembers = 10_000
    /// The most users one request may add (a bigger request is refused whole with `frame_too_large`).
    public var maxAddBatch = 500
    /// The most groups one user may be in (a `group.sync` answers them all at once).
    public var maxGroupsPerUser = 500
    /// Characters of a group's name.
    public var maxNameCharacters = 64
    /// Messages in one history page when the client does not say; the most it may ask for.
    public var defaultHistoryPage = 50
    public var maxHistoryPage = 200
    /// A connection with more bytes than this written but not yet taken by its socket is skipped by
    /// a fan-out pass: it is told nothing and catches up by pulling, like an offline member.
    public var slowConnectionBytes = 1 << 20

    public init() {}
}
