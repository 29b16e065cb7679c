// LESSON 03 STARTER, generated from Solutions/IMGateway/Gateway.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03: the access layer assembled — HTTP API, polling and WebSocket on one router.

import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import IMCore
import Logging

/// Everything a client connects to. The logic layer (`ChatService`) is given; the gateway owns
/// the session map and the long-poll hub, and is the `MessagePusher` the logic layer pushes to.
public struct Gateway: Sendable {
    public let configuration: GatewayConfiguration
    public let accounts: AccountService
    public let registry: SessionRegistry
    public let longPolls: LongPollHub
    /// Lesson 04: tracks each WebSocket's pushes until acknowledged (nil: best effort).
    public let pushTracking: (any PushTrackerFactory)?
    /// Lesson 08: sees every WebSocket's frames and closes silent ones (nil: no idle detection).
    public let connectionObserver: (any ConnectionObserver)?

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
    }

    /// What the logic layer pushes to: live WebSockets, then parked long polls.
    public var pusher: any MessagePusher { FanOutPusher([registry, longPolls]) }

    /// What the logic layer pushes timeline entries to (lesson 09): every device of the user.
    public var timelinePusher: any TimelinePusher { GatewayTimelinePusher(registry: registry, longPolls: longPolls) }

    /// Adds the API, the WebSocket endpoint and `/health` to `router`.
    public func addRoutes(to router: Router<IMRequestContext>, chat: ChatService) {
        router.add(middleware: ErrorMiddleware())
        router.get("health") { _, _ in Response.json(["status": "ok"]) }
        HTTPAPI(chat: chat, accounts: accounts, longPolls: longPolls, configuration: configuration).addRoutes(to: router)

        let endpoint = WebSocketEndpoint(
            chat: chat, registry: registry, configuration: configuration, pushTracking: pushTracking,
            observer: connectionObserver, codec: FrameCodec(maxFrameBytes: configuration.maxFrameBytes))
        router.group().add(middleware: AuthMiddleware(accounts: accounts))
            .ws("ws") { _, _ in
                .upgrade([:])
            } onUpgrade: { inbound, outbound, context in
                guard let identity = context.requestContext.identity else { return }
                await endpoint.serve(inbound: inbound, outbound: outbound, identity: identity, logger: context.logger)
            }
    }

    /// Closes every live WebSocket and answers every parked long poll (at shutdown).
    public func drain(reason: String) async {
        await registry.closeAll(reason: reason)
        await longPolls.wakeAll()
    }

    /// The server setting that lets `/ws` upgrade. The library's own frame cap sits above ours,
    /// so that a frame over our limit gets our error frame, not just a dropped connection.
    public func serverBuilder(router: Router<IMRequestContext>) -> HTTPServerBuilder {
        .http1WebSocketUpgrade(
            webSocketRouter: router,
            configuration: .init(ws: .init(maxFrameSize: configuration.maxFrameBytes * 4, autoPing: .disabled)))
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
