// LESSON 03 STARTER, generated from Solutions/IMGateway/Gateway.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03: the access layer assembled — HTTP API, polling and WebSocket on one router.

import Hummingbird
import HummingbirdCore
import IMCore
import Logging
import NIOCore

/// Everything a client connects to. The logic layer (`ChatService`) is given; the gateway owns
/// the session map and the long-poll hub, and gives the logic layer its `TimelinePusher`.
public struct Gateway: Sendable {
    public let configuration: GatewayConfiguration
    public let accounts: AccountService
    public let registry: SessionRegistry
    public let longPolls: LongPollHub
    /// Lesson 04: tracks each WebSocket's pushes until acknowledged (nil: best effort).
    public let pushTracking: (any PushTrackerFactory)?
    /// Lesson 08: sees every WebSocket's frames and closes silent ones (nil: no idle detection).
    public let connectionObserver: (any ConnectionObserver)?
    /// Tells every WebSocket's open, frames and close to `connectionObserver` and to whatever
    /// later lessons add (a live room forgets a closed viewer).
    public let connectionEvents: ConnectionEvents
    /// Lesson 11: whether `/health` reports this node ready for new clients.
    public let readiness = Readiness()
    /// Caps the listener's connections, per client address and in all.
    public let connectionLimiter: ConnectionLimiter
    /// Checks every request before its route or WebSocket upgrade (lesson 12's address limits).
    public let requestGates = RequestGates()
    /// The extensions' dotted frame types that lesson 12 treats as core under overload.
    public let coreFrameTypes = CoreFrameTypes()
    /// How a request's client address is found (trusted proxies' `X-Forwarded-For`).
    public var clientAddress: ClientAddress { ClientAddress(trustedProxies: configuration.trustedProxies) }

    public init(
        accounts: AccountService, configuration: GatewayConfiguration = GatewayConfiguration(),
        pushTracking: (any PushTrackerFactory)? = nil, connectionObserver: (any ConnectionObserver)? = nil
    ) {
        self.configuration = configuration
        self.accounts = accounts
        self.registry = SessionRegistry()
        self.longPolls = LongPollHub()
        self.pushTracking = pushTracking
        self.connectionObserver = connectionObserver
        self.connectionEvents = ConnectionEvents(connectionObserver)
        self.connectionLimiter = ConnectionLimiter(
            configuration: ConnectionLimits.Configuration(
                maxConnections: configuration.maxConnections ?? ConnectionLimiter.defaultMaxConnections(),
                maxConnectionsPerAddress: configuration.maxConnectionsPerAddress))
    }

    /// What the logic layer pushes timeline entries to: every live WebSocket of the user, then
    /// the user's parked long polls.
    public var timelinePusher: any TimelinePusher { GatewayTimelinePusher(registry: registry, longPolls: longPolls) }

    /// Adds the API and `/health` to `router`. (`/ws` is not a route: see `serverBuilder`.)
    public func addRoutes(to router: Router<IMRequestContext>, chat: ChatService) {
        addRoutes(to: router, responder: FrameResponder(chat: chat))
    }

    /// The same, with `POST /api/v1/messages` answered by `responder` as a `send` frame is, so that
    /// later lessons' frame handlers (lesson 12's send limit) apply to HTTP sends too.
    public func addRoutes(to router: Router<IMRequestContext>, responder: FrameResponder) {
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: RequestGateMiddleware(gates: requestGates, clientAddress: clientAddress))
        router.get("health") { [readiness] _, _ in
            // 503 while draining: balancers stop sending new clients here before any are closed.
            readiness.isDraining
                ? Response.json(["status": "draining"], status: .serviceUnavailable) : Response.json(["status": "ok"])
        }
        HTTPAPI(
            responder: responder, accounts: accounts, longPolls: longPolls, registry: registry, configuration: configuration
        ).addRoutes(to: router)
        router.get("ws") { _, _ -> Response in
            throw IMError.badFrame("/ws is a WebSocket endpoint: send an upgrade request")
        }
    }

    /// Closes every live WebSocket at once and answers every parked long poll. (Lesson 11's
    /// `ConnectionDrainer` drains more gently: not ready first, then in batches.)
    public func drain(reason: String) async {
        await registry.closeAll(reason: reason)
        await longPolls.wakeAll()
        await waitUntilNoConnections(timeout: .seconds(2))
    }

    /// Returns when the session map is empty or after `timeout`. A connection leaves the map once
    /// its close frame is written, so every client is told before the listener stops.
    public func waitUntilNoConnections(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while await registry.counts().connections > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Call with the listening channel once it is bound: accepts pause briefly when the process
    /// is out of descriptors, instead of spinning on a failing accept (see `AcceptPause`).
    public func listenerStarted(_ listener: any Channel, logger: Logger) async {
        try? await listener.eventLoop.submit {
            try listener.pipeline.syncOperations.addHandler(
                AcceptPause(pause: .milliseconds(100), logger: logger), position: .first)
        }.get()
    }

    /// The listener's connections: HTTP/1.1 for the router's routes, and WebSocket upgrades on
    /// `/ws`, which leave Hummingbird's per-connection task for an event-driven handler.
    public func serverBuilder(chat: ChatService) -> HTTPServerBuilder {
        serverBuilder(responder: FrameResponder(chat: chat))
    }

    /// The same, with WebSocket frames answered by `responder` (which asks later lessons' frame
    /// handlers before the logic layer).
    public func serverBuilder(responder: FrameResponder) -> HTTPServerBuilder {
        let endpoint = WebSocketEndpoint(
            responder: responder, accounts: accounts, registry: registry, configuration: configuration,
            pushTracking: pushTracking,
            observer: connectionEvents, codec: FrameCodec(maxFrameBytes: configuration.maxFrameBytes),
            gates: requestGates)
        let limiter = connectionLimiter
        return HTTPServerBuilder { responder in
            GatewayChannel(responder: responder, webSockets: endpoint, limiter: limiter)
        }
    }
}

/// Timeline entries go to live WebSockets, and wake parked long polls.
struct GatewayTimelinePusher: TimelinePusher {
    let registry: SessionRegistry
    let longPolls: LongPollHub

    func push(_ entry: TimelineEntry, to user: UserID) async {
        await registry.push(entry, to: user)
        await longPolls.push(entry, to: user)
    }
}
