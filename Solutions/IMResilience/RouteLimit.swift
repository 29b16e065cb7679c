// Lesson 12: limits per client address, each on a kind of request.
//
// A user's send rate protects the server from one account; an address's rates protect it from
// one machine that makes accounts, guesses passwords or opens connections in a loop — work that
// happens before any account is known. Each limit is a token bucket per address: a browser that
// reloads, or an office behind one NAT, gets its burst; a loop gets the rate and then 429s.

import IMGateway

/// A token bucket per client address for the requests one route (or a family of routes) gets.
public struct RouteLimit: Sendable, Hashable {
    /// The name operators see in logs and refusals ("registrations").
    public var name: String
    /// Only WebSocket upgrades, only other HTTP requests, or either (nil).
    public var kind: GateRequest.Kind?
    /// Only this method (nil: any).
    public var method: String?
    /// The path, exactly; or every path that starts with it when it ends in `*`.
    public var path: String
    /// Requests per second per address, on average.
    public var rate: Double
    /// Requests an address may make at once after a quiet spell.
    public var burst: Double

    public init(
        _ name: String, kind: GateRequest.Kind? = nil, method: String? = nil, path: String, rate: Double, burst: Double
    ) {
        self.name = name
        self.kind = kind
        self.method = method
        self.path = path
        self.rate = rate
        self.burst = burst
    }

    /// Whether `request` is one this limit counts.
    public func matches(_ request: GateRequest) -> Bool {
        if let kind, kind != request.kind { return false }
        if let method, method != request.method { return false }
        if path.hasSuffix("*") { return request.path.hasPrefix(path.dropLast()) }
        return request.path == path
    }

    /// New long connections: WebSocket upgrades (each costs a token check and a session).
    public static let connections = RouteLimit("connections", kind: .webSocket, path: "/ws", rate: 10, burst: 100)
    /// New tunnel sessions (lesson 13), the long connection of clients whose WebSocket is blocked.
    public static let tunnels = RouteLimit("tunnels", kind: .http, method: "POST", path: "/api/v1/tunnel", rate: 10, burst: 100)
    /// Accounts made: a password hash each, and a name taken for good.
    public static let registrations = RouteLimit(
        "registrations", kind: .http, method: "POST", path: "/api/v1/register", rate: 0.2, burst: 30)
    /// Logins: a password hash each. (Failed logins of one account have their own limit, lesson 03.)
    public static let logins = RouteLimit("logins", kind: .http, method: "POST", path: "/api/v1/login", rate: 2, burst: 60)
    /// Every other API request; not on by default (`im-server --address-api-rate`).
    public static func api(rate: Double, burst: Double) -> RouteLimit {
        RouteLimit("api", kind: .http, path: "/api/*", rate: rate, burst: burst)
    }

    /// The limits on by default.
    public static let defaults: [RouteLimit] = [connections, tunnels, registrations, logins]
}
