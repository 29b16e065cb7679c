// Lesson 03: one listener for the HTTP API and for WebSockets.
//
// Hummingbird runs every accepted connection in a task. For HTTP that is right: a task per
// request in flight. A WebSocket, though, lives for hours and is silent most of the time, and a
// task parked for hours keeps the stack its deepest call ever needed (tens of KB). So a
// connection that upgrades to `/ws` leaves the task world: its pipeline gets the event-driven
// `WebSocketHandler`, and its task ends. An idle WebSocket then costs its socket, its channel and
// a few small objects, the way Netty-based gateways keep a million connections on one machine.

import HTTPTypes
import Hummingbird
import HummingbirdCore
import IMCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// The child channel of the gateway's listener: HTTP/1.1, with an upgrade to WebSocket on `/ws`.
struct GatewayChannel: ServerChildChannel, HTTPChannelHandler {
    /// How the first request of a connection turned out.
    enum Outcome: Sendable {
        /// Upgraded: the event-driven handler owns the connection from here on.
        case webSocket
        /// Plain HTTP: served by Hummingbird in this connection's task.
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// An upgrade that was refused (bad token, wrong path): answered with this error.
        case refused(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, IMError)
        /// Closed as it was accepted: over a connection cap (see `ConnectionLimits`).
        case overCap
    }

    struct Value: ServerChildChannelValue {
        let outcome: EventLoopFuture<Outcome>
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    let webSockets: WebSocketEndpoint
    let http1: HTTP1Channel.Configuration
    let limiter: ConnectionLimiter

    /// How long a new connection has to deliver its first request head.
    let firstRequestTimeout: TimeAmount

    init(responder: @escaping HTTPChannelHandler.Responder, webSockets: WebSocketEndpoint, limiter: ConnectionLimiter) {
        self.responder = Self.redirectingLateUpgrades(responder)
        self.webSockets = webSockets
        self.limiter = limiter
        let configuration = webSockets.configuration
        // Between requests a kept-alive HTTP connection may stay idle this long (a request in
        // progress, such as a parked long poll, is never cut).
        self.http1 = HTTP1Channel.Configuration(idleTimeout: .init(configuration.httpIdleTimeout))
        self.firstRequestTimeout = .init(configuration.firstRequestTimeout)
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            // Counted before anything else is set up: over a cap, the channel is already closed.
            let limiter = limiter
            guard let ticket = limiter.admit(channel, logger: logger) else {
                return Value(outcome: channel.eventLoop.makeSucceededFuture(.overCap), channel: channel)
            }
            let attempt = NIOLoopBoundBox(UpgradeAttempt(), eventLoop: channel.eventLoop)
            let webSockets = webSockets
            let upgrader = NIOTypedWebSocketServerUpgrader<Outcome>(
                maxFrameSize: webSockets.maxWireFrameBytes,
                shouldUpgrade: { channel, head in
                    attempt.value.tried = true
                    return webSockets.authenticate(head, from: channel.remoteAddress?.ipAddress, on: channel.eventLoop).map {
                        result in
                        switch result {
                        case .success(let identity):
                            attempt.value.identity = identity
                            return HTTPHeaders()
                        case .failure(let error):
                            attempt.value.refusal = error
                            return nil
                        }
                    }
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        FirstRequestDeadline.met(on: channel)
                        limiter.requestArrived(ticket)
                        guard let identity = attempt.value.identity else { throw IMError.unauthorized }
                        try webSockets.adopt(channel, identity: identity, logger: logger)
                        return Outcome.webSocket
                    }
                })
            let http1 = http1
            let upgrades = NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        FirstRequestDeadline.met(on: channel)
                        limiter.requestArrived(ticket)
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandlers(http1.additionalChannelHandlers())
                        try channel.pipeline.syncOperations.addHandler(
                            HTTPConnectionStateHandler(idleTimeout: http1.idleTimeout.map { .init($0) }, logger: logger))
                        let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        guard attempt.value.tried else { return .http(asyncChannel) }
                        return .refused(asyncChannel, attempt.value.refusal ?? IMError.badFrame("not a valid WebSocket upgrade"))
                    }
                })
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: upgrades)
            configuration.enablePipelining = false  // NIOAsyncChannel reads one request at a time
            configuration.enableErrorHandling = false  // Hummingbird answers errors
            configuration.enableResponseHeaderValidation = false  // swift-http-types validates
            configuration.decoderConfiguration.maxHeaderFieldSize = http1.httpDecoder.maxHeaderFieldSize
            configuration.decoderConfiguration.maxHeaderListSize = http1.httpDecoder.maxHeaderListSize
            configuration.decoderConfiguration.maxHeaderFieldCount = http1.httpDecoder.maxHeaderFieldCount
            // A connection that never sends a request must not hold up a graceful shutdown, nor
            // a file descriptor for more than a few seconds.
            try channel.pipeline.syncOperations.addHandler(FirstRequestDeadline(timeout: firstRequestTimeout))
            try channel.pipeline.syncOperations.addHandler(QuiesceBeforeFirstRequest())
            let outcome = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
                configuration: configuration)
            return Value(outcome: outcome, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.outcome.get() {
            case .webSocket:
                return  // the channel lives on in its event-driven handler; this task ends
            case .overCap:
                return  // closed already
            case .http(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .refused(let http, let error):
                await Self.refuse(http, with: error, logger: logger)
            }
        } catch {
            logger.debug("connection ended before its first request was handled", metadata: ["error": "\(error)"])
        }
    }

    /// Answers a refused upgrade in the gateway's error shape, then closes.
    private static func refuse(
        _ http: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, with error: IMError, logger: Logger
    ) async {
        logger.debug("websocket upgrade refused", metadata: ["error": "\(error)"])
        let body = ByteBuffer(string: ErrorBody.json(error))
        let head = HTTPResponse(
            status: .init(code: error.code.httpStatus),
            headerFields: [.connection: "close", .contentType: "application/json", .contentLength: "\(body.readableBytes)"]
                + (error.retryAfter.map { [HTTPField(name: .retryAfter, value: String($0))] } ?? []))
        try? await http.executeThenClose { _, outbound in
            try await outbound.write(contentsOf: [.head(head), .body(body), .end(nil)])
        }
    }

    /// NIO upgrades only on a connection's first request. A later request on a kept-alive
    /// connection that asks for WebSocket is sent to the same URL on a fresh connection.
    private static func redirectingLateUpgrades(_ responder: @escaping HTTPChannelHandler.Responder)
        -> HTTPChannelHandler.Responder
    {
        { request, writer, channel in
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                return try await responder(request, writer, channel)
            }
            let location = request.uri.query.map { "\(request.uri.path)?\($0)" } ?? request.uri.path
            try await writer.writeResponse(
                HTTPResponse(status: .temporaryRedirect, headerFields: [.connection: "close", .location: location]))
            throw LateUpgrade()
        }
    }

    private struct LateUpgrade: Error {}

    /// What the upgrade check found; lives on the connection's event loop.
    private struct UpgradeAttempt {
        var tried = false
        var identity: Identity?
        var refusal: IMError?
    }
}

/// Closes a connection that is asked to quiesce before it sent any request. (Once a request
/// came, Hummingbird's HTTP handler or the WebSocket handler takes care of the shutdown.)
final class QuiesceBeforeFirstRequest: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    private var sawRequest = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        sawRequest = true
        context.fireChannelRead(data)
        // From here on the handlers behind take care of a shutdown; this one is no longer needed.
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, !sawRequest {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}
