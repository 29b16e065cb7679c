// LESSON 03 STARTER, generated from Solutions/IMGateway/HTTP/IMRequestContext.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03: what the gateway knows about a request while handling it.

import Hummingbird
import IMCore

/// The request context of every HTTP route: Hummingbird's storage plus the authenticated
/// identity, set by `AuthMiddleware`.
public struct IMRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who sent the request; `nil` until `AuthMiddleware` has checked the token.
    public var identity: Identity?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
    }

    /// The identity, or `unauthorized` on a route that forgot its middleware.
    func requireIdentity() throws -> Identity {
        guard let identity else { throw IMError.unauthorized }
        return identity
    }
}
