// Lesson 09 (performance): waiting a moment before a commit, so that it carries more sends.
//
// Group commit only groups what is already waiting. At a moderate rate (a send every 0.7 ms, a
// commit taking about as long) most commits carried one or two sends, and each paid for a whole
// transaction: the WAL frames of every page it touched, the locks, the thread wake-ups. Databases
// and logs answer this the same way (PostgreSQL's `commit_delay`, Kafka's `linger.ms`): when
// traffic is steady, wait a little before committing and let the next sends join. Here the wait
// applies only when the previous commit ended moments ago (steady traffic) and few sends are
// waiting (a full batch gains nothing from waiting): the first send after a quiet spell is
// committed at once, so a quiet server answers as fast as before.

/// Decides whether the next group commit waits `delay` first. Pure: the caller brings the clock.
public struct CommitLinger: Sendable, Hashable {
    /// How long to wait; zero turns lingering off.
    public var delay: Duration
    /// Traffic is steady when the previous commit ended less than this long ago.
    public var steadyWithin: Duration
    /// With this many sends waiting already, the commit goes at once.
    public var enoughWaiting: Int

    public init(delay: Duration = .milliseconds(1), steadyWithin: Duration = .milliseconds(3), enoughWaiting: Int = 16) {
        self.delay = max(.zero, delay)
        self.steadyWithin = steadyWithin
        self.enoughWaiting = enoughWaiting
    }

    /// Never waits: every batch commits as soon as the writer is free.
    public static let off = CommitLinger(delay: .zero)

    /// Whether to wait before committing `waiting` sends, the previous commit having ended
    /// `sinceLastCommit` ago (nil: none yet).
    public func shouldWait(waiting: Int, sinceLastCommit: Duration?) -> Bool {
        guard delay > .zero, waiting > 0, waiting < enoughWaiting, let sinceLastCommit else { return false }
        return sinceLastCommit < steadyWithin
    }
}
