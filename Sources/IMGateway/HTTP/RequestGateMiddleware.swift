// LESSON 03 STARTER, generated from Solutions/IMGateway/HTTP/RequestGateMiddleware.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 12: the request gates in front of every HTTP route (the WebSocket upgrade asks them in
// `GatewayChannel`, before the router exists for that connection).

import HTTPTypes
import Hummingbird
import IMCore

/// Resolves the client's address, then asks the gates; a refusal is thrown to `ErrorMiddleware`.
struct RequestGateMiddleware: RouterMiddleware {
    typealias Context = IMRequestContext
    let gates: RequestGates
    let clientAddress: ClientAddress

    func handle(
        _ request: Request, context: IMRequestContext, next: (Request, IMRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.clientAddress = clientAddress.resolve(
            peer: context.remoteAddress, forwardedFor: request.headers[.xForwardedFor])
        let gated = GateRequest(
            kind: .http, method: request.method.rawValue, path: request.uri.path, address: context.clientAddress)
        if let refusal = gates.check(gated) { throw refusal }
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    /// The addresses a request came through, appended by each proxy.
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
