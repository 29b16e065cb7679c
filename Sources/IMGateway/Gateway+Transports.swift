// LESSON 03 STARTER, generated from Solutions/IMGateway/Gateway+Transports.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03 seams used by other transports (lesson 13's HTTP tunnel): the gateway's token check
// and its JSON answers, so that a route added by another module behaves like the gateway's own.

import Hummingbird
import IMCore

extension Gateway {
    /// A group of routes under `path` that require a valid session token (`Authorization: Bearer`).
    public func authenticatedGroup(_ path: RouterPath, of router: Router<IMRequestContext>) -> RouterGroup<IMRequestContext> {
        router.group(path).add(middleware: AuthMiddleware(accounts: accounts))
    }

    /// A JSON answer encoded as the gateway encodes its own.
    public static func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        .json(value, status: status)
    }
}
