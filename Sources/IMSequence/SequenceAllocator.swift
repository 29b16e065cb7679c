// LESSON 05 STARTER, generated from Solutions/IMSequence/SequenceAllocator.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 05: handing out increasing numbers without a disk write per number.
//
// WeChat's seqsvr keeps, per key, the last number handed out in memory and a persisted upper
// bound ("max seq"). Numbers are issued from memory until the bound is reached; only then is a new
// bound (old + step) written durably, and only after that write may numbers beyond the old bound
// go out. After a crash the allocator restarts from the persisted bound: it may skip up to one
// step of numbers, but it can never hand out a number twice or go back.
//
// This type is the pure state machine: no I/O, no clock. The caller persists bounds.

import CourseSupport

/// Issues increasing numbers per key in sections of `step`, the way seqsvr does.
public struct SequenceAllocator: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// How many numbers one durable write covers. seqsvr's published step is 10,000.
        public var step: Int64 = 10_000
        public init(step: Int64 = 10_000) { self.step = max(1, step) }
    }

    /// What the allocator knows about one key.
    struct Section: Sendable, Hashable {
        /// The last number issued (or, after a restart, the persisted bound of the previous run).
        var current: Int64
        /// The persisted bound: numbers up to and including this may be issued.
        var maximum: Int64
    }

    public let configuration: Configuration
    private(set) var sections: [String: Section] = [:]

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// The next number for `key`, or `nil` when the key has no section in memory (first use since
    /// start) or its section is used up. On `nil`, persist `nextMaximum(persisted:)` durably, call
    /// `didPersist`, and ask again.
    public mutating func next(for key: String) -> Int64? {
        // BEGIN EXERCISE 05.1: Issue current + 1 from memory while it stays within the persisted maximum; otherwise return nil.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 05
        _ = Exercise.notImplemented("05.1", expected: "current + 1 while it is <= the persisted maximum of the key, nil when the key is unknown or its section is used up")
        return nil
        // END EXERCISE 05.1
    }

    /// The bound to persist next, given the bound storage holds now.
    public func nextMaximum(persisted: Int64) -> Int64 {
        persisted + configuration.step
    }

    /// Records that storage now durably holds `maximum` for `key`, and held `previous` before.
    ///
    /// For a key seen for the first time in this run, numbering resumes above `previous`: an
    /// earlier run may have issued any number up to it, so none of those may be issued again.
    public mutating func didPersist(_ key: String, maximum: Int64, previous: Int64) {
        // BEGIN EXERCISE 05.2: Resume above `previous` for a new key; never lower `current` or `maximum` of a known key.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 05
        _ = Exercise.notImplemented("05.2", expected: "a new key resumes at current = previous with the new maximum; a known key only ever raises its maximum")
        // END EXERCISE 05.2
    }

    /// Whether `next(for:)` can issue a number for `key` without a new section.
    public func hasRoom(for key: String) -> Bool {
        guard let section = sections[key] else { return false }
        return section.current < section.maximum
    }

    /// The last number issued for `key` in this run, if any section is loaded.
    public func current(for key: String) -> Int64? { sections[key]?.current }
}
