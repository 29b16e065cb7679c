// LESSON 13 STARTER, generated from Solutions/IMTunnel/TunnelConfiguration.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 13: the knobs of the HTTP tunnel. The defaults are those in docs/PROTOCOL.md.

/// Limits and timings of tunnel sessions.
public struct TunnelConfiguration: Sendable {
    /// A session with no poll parked and none made for this long is closed and unregistered.
    /// Well above the poll wait, so a client between two polls is never taken for gone.
    public var idleTimeout: Duration = .seconds(60)
    /// The longest a down-poll is held when there is nothing to send. Below the idle time-outs of
    /// common proxies (often 30–60 s), which cut a request that stays silent longer.
    public var maxPollWait: Duration = .seconds(25)
    /// Most frames in one upload, and most frames handed out by one down-poll.
    public var maxBatch = 100
    /// Largest upload body.
    public var maxUploadBytes = 256 * 1024
    /// Most frames sent and not yet acknowledged; a client that stops acknowledging loses its
    /// session (it re-opens one and syncs) instead of growing the server's memory without end.
    public var maxQueuedFrames = 2_000

    public init() {}
}
