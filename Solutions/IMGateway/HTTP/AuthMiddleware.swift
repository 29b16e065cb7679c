// Lesson 03: every route behind this middleware needs a valid session token.

import Hummingbird
import IMCore

/// Reads the token from `Authorization: Bearer …`, checks it and stores the identity in the context.
///
/// Never from the query: a token in a URL ends up in access logs, proxy logs and `Referer`
/// headers. Only the WebSocket upgrade takes `?token=` (`WebSocketEndpoint`), because a browser
/// cannot set headers on it.
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
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst("Bearer ".count))
    }
}
