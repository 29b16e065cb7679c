// Lesson 08: the numbers of the smart heartbeat, all in one place.
//
// A carrier NAT forgets a TCP flow that has been quiet for a while, and it does so silently: no
// FIN, no RST. The client cannot ask the NAT for its timeout; it has to find it by trying. These
// are the knobs of that search. The defaults are the figures of a widely used mobile network
// library (start 3.5 min, +1 min steps, ceiling 10 min, settle 20 s below the last success, back
// off after 2 failures, stable after 5 successes); tests use seconds instead of minutes.

/// How the adaptive heartbeat searches for the longest safe interval.
public struct HeartbeatPolicy: Sendable, Equatable {
    /// The first interval tried on a network nothing is known about.
    public var initialInterval: Duration = .seconds(210)
    /// How much longer each probe waits after a heartbeat survived.
    public var step: Duration = .seconds(60)
    /// Never wait longer than this, whatever survives (the server's idle timeout sits above it).
    public var ceiling: Duration = .seconds(600)
    /// Never wait less than this, whatever fails (a floor against draining the battery).
    public var floor: Duration = .seconds(30)
    /// How far below the last surviving interval the search settles, as a safety margin.
    public var settleMargin: Duration = .seconds(20)
    /// Failures in a row after which the result is distrusted and the search starts again low.
    public var failuresBeforeBackoff = 2
    /// Successes at the settled interval after which the network counts as stable (and is remembered).
    public var successesUntilStable = 5
    /// How long the client waits for the answer to a heartbeat before it declares the path dead.
    public var pongTimeout: Duration = .seconds(10)

    public init() {}

    public init(
        initialInterval: Duration, step: Duration, ceiling: Duration, floor: Duration, settleMargin: Duration,
        failuresBeforeBackoff: Int = 2, successesUntilStable: Int = 5, pongTimeout: Duration
    ) {
        self.initialInterval = initialInterval
        self.step = step
        self.ceiling = ceiling
        self.floor = floor
        self.settleMargin = settleMargin
        self.failuresBeforeBackoff = failuresBeforeBackoff
        self.successesUntilStable = successesUntilStable
        self.pongTimeout = pongTimeout
    }
}
