// Lesson 03: the knobs of the access layer. The defaults are those in docs/PROTOCOL.md.

/// Limits and timings of the gateway.
public struct GatewayConfiguration: Sendable {
    /// Largest WebSocket frame the gateway reads; larger ones get `frame_too_large` and a close.
    public var maxFrameBytes = 64 * 1024
    /// Bytes a WebSocket may have waiting to be sent (beyond what the kernel buffers) before the
    /// client is closed as too slow (1008).
    public var maxPendingOutboundBytes = 4 * 1024 * 1024
    /// How long a close frame waits for the client's answer before the socket is closed anyway.
    public var webSocketCloseTimeout: Duration = .seconds(3)
    /// How long a new connection has to deliver its first request head (HTTP request or
    /// WebSocket upgrade) before it is closed: silent and half-open sockets hold no descriptor for long.
    public var firstRequestTimeout: Duration = .seconds(10)
    /// How long a kept-alive HTTP connection may stay idle between requests (a request in
    /// progress, such as a parked long poll, is never cut).
    public var httpIdleTimeout: Duration = .seconds(75)
    /// The most connections (HTTP and WebSocket) open at once. When it is reached, the oldest
    /// connection that has not sent a request yet is closed to make room; if every one has, the
    /// new connection is closed at once. nil: the open-file limit less 64 descriptors (a quarter
    /// of a small limit) kept for the database, logs and listener, so that accept never runs out.
    public var maxConnections: Int? = nil
    /// The most connections open at once from one client address, with the same rule. Clients
    /// behind one NAT, or a proxy on the same host, share an address: raise it for them.
    public var maxConnectionsPerAddress = 1_000
    /// Largest HTTP request body.
    public var maxRequestBodyBytes = 64 * 1024
    /// The longest a long-poll request may be held.
    public var longPollMaxWait: Duration = .seconds(60)
    /// How long a session token stays valid.
    public var sessionLifetime: Duration = .seconds(30 * 24 * 3600)
    /// bcrypt's cost: each step doubles the work of checking a password (10 ≈ 50–100 ms).
    public var passwordHashCost: UInt8 = 10
    /// Limits on failed logins per account, per address and per both.
    public var loginThrottle = LoginThrottle.Configuration()
    /// Addresses of the operator's own proxies (nginx, haproxy): their `X-Forwarded-For` names
    /// the client, for limits per address. Empty: the peer address is the client's.
    public var trustedProxies: Set<String> = []

    public init() {}
}
