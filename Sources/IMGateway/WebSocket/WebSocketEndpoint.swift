// LESSON 03 STARTER, generated from Solutions/IMGateway/WebSocket/WebSocketEndpoint.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03: `/ws` — who may upgrade, and what an upgraded connection is made of.
//
// The upgrade request carries the session token (a header, or `?token=` for browsers, which
// cannot set headers on a WebSocket). It is checked before the upgrade is accepted, so a bad
// token gets a 401 in the gateway's error shape and never a WebSocket.

import Hummingbird
import HummingbirdCore
import IMCore
import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Accepts `/ws` upgrades of authenticated users and gives each one its connection.
struct WebSocketEndpoint: Sendable {
    /// Says hello and answers every request frame (the extensions' frame handlers, then the logic layer).
    let responder: FrameResponder
    let accounts: AccountService
    let registry: SessionRegistry
    let configuration: GatewayConfiguration
    let pushTracking: (any PushTrackerFactory)?
    let observer: (any ConnectionObserver)?
    let codec: FrameCodec
    /// Lesson 12: the checks an upgrade passes before its token is (expensively) checked.
    let gates: RequestGates

    /// The largest frame the wire decoder accepts. It sits above the protocol's limit, so that a
    /// frame over our limit gets our `frame_too_large` error first, not just a dropped connection.
    var maxWireFrameBytes: Int { configuration.maxFrameBytes * 4 }

    /// Checks the path and the token of an upgrade request.
    func authenticate(_ head: HTTPRequestHead, from peer: String?, on eventLoop: any EventLoop)
        -> EventLoopFuture<Result<Identity, IMError>>
    {
        let uri = URI(head.uri)
        guard uri.path == "/ws" else {
            return eventLoop.makeSucceededFuture(.failure(IMError.notFound("no WebSocket endpoint at \(uri.path)")))
        }
        let forwardedFor = head.headers["X-Forwarded-For"]
        let address = ClientAddress(trustedProxies: configuration.trustedProxies).resolve(
            peer: peer, forwardedFor: forwardedFor.isEmpty ? nil : forwardedFor.joined(separator: ","))
        if let refusal = gates.check(GateRequest(kind: .webSocket, method: "GET", path: uri.path, address: address)) {
            return eventLoop.makeSucceededFuture(.failure(refusal))
        }
        let bearer = head.headers.first(name: "Authorization").flatMap { header in
            header.hasPrefix("Bearer ") ? String(header.dropFirst("Bearer ".count)) : nil
        }
        let token = bearer ?? uri.queryParameters.get("token") ?? ""
        let accounts = accounts
        let promise = eventLoop.makePromise(of: Result<Identity, IMError>.self)
        promise.completeWithTask {
            do {
                return .success(try await accounts.authenticate(token: token))
            } catch {
                return .failure(IMError(describing: error))
            }
        }
        return promise.futureResult
    }

    /// Completes an accepted upgrade: the frame handlers go into the pipeline, and the
    /// connection opens its session (hello, session map) on its own.
    func adopt(_ channel: any Channel, identity: Identity, logger: Logger) throws {
        var logger = logger
        logger[metadataKey: "user"] = "\(identity.userID)"
        let connection = WebSocketConnection(
            channel: channel, identity: identity, endpoint: self, connectionID: registry.makeConnectionID(), logger: logger)
        try channel.pipeline.syncOperations.addHandlers(
            // Fragments of one message are joined here, up to the same limit as one frame.
            NIOWebSocketFrameAggregator(
                minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 64, maxAccumulatedFrameSize: maxWireFrameBytes),
            WebSocketHandler(connection: connection))
    }
}
