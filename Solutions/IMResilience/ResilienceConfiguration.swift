// Lesson 12: the knobs of flow control. The defaults run, and are those in docs/PROTOCOL.md.

/// Limits of the `Resilience` extension. A nil part is turned off.
public struct ResilienceConfiguration: Sendable {
    /// Sends per user: a token bucket per user. A person types a few messages a second at most
    /// and a client catching up after a reconnect sends a burst; a script sends thousands.
    public var sends: SendLimit? = SendLimit()
    /// The adaptive concurrency limit in front of the logic layer.
    public var concurrency: AdaptiveConcurrencyLimit.Configuration? = AdaptiveConcurrencyLimit.Configuration()
    /// The circuit breaker around the logic layer (whose failures are the store's).
    public var breaker: CircuitBreaker.Configuration? = CircuitBreaker.Configuration()
    /// Limits per client address on routes (new connections, registrations, logins; `RouteLimit`).
    /// Empty: none. Behind a proxy, set `GatewayConfiguration.trustedProxies` so that the client's
    /// address is counted, not the proxy's.
    public var perAddress: [RouteLimit] = RouteLimit.defaults
    /// Addresses remembered at most per limit.
    public var maxAddresses = 100_000

    public struct SendLimit: Sendable, Hashable {
        /// Sends per second per user, on average.
        public var rate: Double = 20
        /// Sends a user may make at once after a quiet spell.
        public var burst: Double = 100
        /// Users remembered at most (memory stays bounded under a flood of accounts).
        public var maxUsers = 100_000

        public init() {}

        public init(rate: Double, burst: Double, maxUsers: Int = 100_000) {
            self.rate = rate
            self.burst = burst
            self.maxUsers = maxUsers
        }
    }

    public init() {}
}
