// LESSON 03 STARTER, generated from Solutions/IMGateway/HTTP/AuthMiddleware.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03: every route behind this middleware needs a valid session token.

import Hummingbird
import IMCore

/// Reads the token from `Authorization: Bearer …` (or `?token=` for browsers opening a WebSocket,
/// which cannot set headers), checks it and stores the identity in the context.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = IMRequestContext
    let accounts: AccountService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        context.identity = try await accounts.authenticate(token: Self.token(in: request) ?? "")
        return try await next(request, context)
    }

    static func token(in request: Request) -> String? {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            return String(header.dropFirst("Bearer ".count))
        }
        return request.uri.queryParameters.get("token")
    }
}
