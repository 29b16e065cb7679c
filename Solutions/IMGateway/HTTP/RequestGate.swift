// Lesson 12: a check every request passes before any route or WebSocket upgrade runs.
//
// Lesson 12's address limits (registrations, logins, new connections per client address) must
// refuse a request before it costs anything: before a password is hashed, a session is made or
// a socket is upgraded. A gate answers synchronously (a token bucket behind a lock), so the check
// costs nanoseconds; a refusal is an `IMError` (`rate_limited` with `retryAfter`), answered as
// HTTP 429 with `Retry-After`, like every other error of the gateway.

import IMCore
import Synchronization

/// One request as the gates see it.
public struct GateRequest: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A WebSocket upgrade on `/ws`: a new long connection.
        case webSocket
        /// Any other HTTP request.
        case http
    }

    public let kind: Kind
    public let method: String
    /// The path without the query.
    public let path: String
    /// The client's address (resolved through trusted proxies, see `ClientAddress`); nil when unknown.
    public let address: String?

    public init(kind: Kind, method: String, path: String, address: String?) {
        self.kind = kind
        self.method = method
        self.path = path
        self.address = address
    }
}

/// Decides whether a request may go on.
public protocol RequestGate: Sendable {
    /// nil: go on. An error: the request is refused with it, and nothing else runs.
    func check(_ request: GateRequest) -> IMError?
}

/// The gates of a gateway; later lessons add theirs (`Gateway.requestGates.add`).
public final class RequestGates: Sendable {
    private let gates = Mutex<[any RequestGate]>([])

    public init() {}

    public func add(_ gate: any RequestGate) {
        gates.withLock { $0.append(gate) }
    }

    /// The first refusal of the gates, in the order they were added; nil when all let it through.
    public func check(_ request: GateRequest) -> IMError? {
        let gates = gates.withLock { $0 }
        for gate in gates {
            if let refusal = gate.check(request) { return refusal }
        }
        return nil
    }
}
