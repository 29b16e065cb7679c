// LESSON 10 STARTER, generated from Solutions/IMLiveRoom/LiveRoomConfiguration.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 10: the knobs of live rooms. The defaults are those in docs/PROTOCOL.md.

/// Tick, caps and limits of the live rooms of one gateway.
public struct LiveRoomConfiguration: Sendable {
    /// Everything posted to a room during one tick goes out as one batch. Shorter ticks mean less
    /// delay and more frames; 100 ms is below what a person notices in a scrolling chat.
    public var tick: Duration = .milliseconds(100)
    /// Ordinary comments a viewer is sent per second at most: a client renders a few dozen
    /// messages a second, more only scroll past unread. Gifts and the host's messages do not wait
    /// for this budget (they use it up first), and neither do a viewer's own messages.
    public var commentsPerSecond = 20
    /// A viewer with more than this many bytes written but not yet taken by its socket misses
    /// batches until it has caught up. Below the gateway's own limit, at which it closes the
    /// connection (`GatewayConfiguration.maxPendingOutboundBytes`, 4 MiB).
    public var maxPendingBytes = 256 * 1024
    /// A viewer that has missed every batch for this long is disconnected.
    public var maxStuck: Duration = .seconds(10)
    /// Longest post body, in bytes of UTF-8.
    public var maxPostBytes = 512
    /// Posts per second one viewer may make on average (a token bucket)...
    public var postsPerSecond = 2
    /// ...and at most this many at once after a quiet spell.
    public var postBurst = 5
    /// Rooms one connection may be in at once.
    public var maxRoomsPerConnection = 8
    /// Rooms one gateway holds at most.
    public var maxRooms = 10_000
    /// This gateway's address as `GET /api/v1/dns` hands it out (one of `--dns-gateway`): its own
    /// load is recorded under it, so that HttpDNS puts it in its place among the gateways.
    public var advertisedAddress: String?

    public init() {}

    /// The limits of the slow-viewer gate.
    public var viewerLimits: ViewerGate.Limits {
        ViewerGate.Limits(maxPendingBytes: maxPendingBytes, maxStuck: maxStuck)
    }
}
