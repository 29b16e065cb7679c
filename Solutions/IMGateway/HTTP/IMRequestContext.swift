// Lesson 03: what the gateway knows about a request while handling it.

import Hummingbird
import IMCore
import NIOCore

/// The request context of every HTTP route: Hummingbird's storage plus the authenticated
/// identity, set by `AuthMiddleware`.
public struct IMRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who sent the request; `nil` until `AuthMiddleware` has checked the token.
    public var identity: Identity?
    /// The peer's IP address (without the port); nil when unknown. Behind a proxy, the proxy's.
    public let remoteAddress: String?
    /// The client's IP address, for limits per address: `remoteAddress`, or behind a trusted
    /// proxy the address it forwarded (lesson 12, `ClientAddress`).
    public var clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
        remoteAddress = source.channel.remoteAddress?.ipAddress
        clientAddress = remoteAddress
    }

    /// The identity, or `unauthorized` on a route that forgot its middleware.
    func requireIdentity() throws -> Identity {
        guard let identity else { throw IMError.unauthorized }
        return identity
    }
}
