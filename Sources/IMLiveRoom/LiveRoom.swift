// LESSON 10 STARTER, generated from Solutions/IMLiveRoom/LiveRoom.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 10: live rooms as a part of the server — frames, routes, the ticker, the cleanup.
//
// The rooms live in one `RoomHub` per gateway. Four things connect it to the server, all through
// the seam of lesson 03 (`ServerExtension`): a frame handler for `room.join`, `room.leave` and
// `room.post`; a connection observer that takes a closed connection out of its rooms; a service
// that ticks (and, when the gateway drains, tells viewers to go elsewhere); and the routes
// `POST /api/v1/rooms`, `GET /api/v1/rooms/{room}` and `GET /api/v1/load`.

import Foundation
import Hummingbird
import IMCore
import IMGateway
import IMSecurity
import ServiceLifecycle

/// The live-room extension of the server. It also orders HttpDNS answers least-loaded first.
public struct LiveRoom: ServerExtension, HttpDNSOrdering {
    public let configuration: LiveRoomConfiguration
    public let hub: RoomHub
    /// The gateways' loads, this one's included (refreshed every tick).
    public let loads = LoadBoard()

    public init(configuration: LiveRoomConfiguration = LiveRoomConfiguration()) {
        self.configuration = configuration
        hub = RoomHub(configuration: configuration)
    }

    public var name: String { "live-room" }

    public func frameHandlers(gateway: Gateway) -> [any FrameHandler] {
        [RoomFrameHandler(hub: hub, registry: gateway.registry)]
    }

    public func addRoutes(to router: Router<IMRequestContext>, context: ServerExtensionContext) {
        let gateway = context.gateway
        gateway.connectionEvents.add(RoomCleanup(hub: hub))
        let hub = hub
        let rooms = gateway.authenticatedGroup("api/v1/rooms", of: router)
        // Rooms are opened by their host over HTTP: an app's "go live" button, not a chat frame.
        rooms.post { request, context in
            guard let identity = context.identity else { throw IMError.unauthorized }
            let body = try await request.body.collect(upTo: 4 * 1024)
            let wanted: RoomRequest
            do {
                wanted = try JSONDecoder().decode(RoomRequest.self, from: Data(body.readableBytesView))
            } catch {
                throw IMError.invalidArgument("body is {\"room\": name}, a name of 1-64 characters of a-z 0-9 _ -")
            }
            return Gateway.jsonResponse(try await hub.create(wanted.room, host: identity.userID), status: .created)
        }
        rooms.get(":room") { _, context in
            guard context.identity != nil else { throw IMError.unauthorized }
            let name = context.parameters.get("room") ?? ""
            guard let room = RoomID(rawValue: name), let info = await hub.info(room) else {
                throw IMError.notFound("no room named `\(name)`")
            }
            return Gateway.jsonResponse(info)
        }
        // No token: a scheduler (or a person with curl) reads it like /health.
        router.get("api/v1/load") { _, _ in
            Gateway.jsonResponse(await Self.load(hub: hub, gateway: gateway))
        }
    }

    public func makeServices(context: ServerExtensionContext) -> [any Service] {
        [
            RoomTicker(
                hub: hub, gateway: context.gateway, tick: configuration.tick, loads: loads,
                advertisedAddress: configuration.advertisedAddress)
        ]
    }

    /// `GET /api/v1/dns?service=gateway`: least-loaded gateways first.
    public func order(_ addresses: [String], service: String) async -> [String] {
        guard service == HttpDNSDirectory.defaultService else { return addresses }
        return await loads.order(addresses)
    }

    /// This gateway's load report.
    static func load(hub: RoomHub, gateway: Gateway) async -> GatewayLoad {
        await hub.load(connections: gateway.registry.counts().connections, draining: gateway.readiness.isDraining)
    }
}

/// Takes closed connections out of their rooms.
struct RoomCleanup: ConnectionObserver {
    let hub: RoomHub

    func opened(_ connection: ConnectionID, close: @escaping @Sendable (String) -> Void) {}
    func received(on connection: ConnectionID) {}
    func closed(_ connection: ConnectionID) {
        Task { await hub.disconnected(connection) }
    }
}

/// Ticks the hub every `tick`, on a fixed schedule (a slow tick does not shift the next ones).
/// While the gateway drains it also tells viewers to reconnect elsewhere, before the drainer
/// closes their connections (give `--drain-grace` at least one tick for that).
struct RoomTicker: Service {
    let hub: RoomHub
    let gateway: Gateway
    let tick: Duration
    let loads: LoadBoard
    let advertisedAddress: String?

    func run() async throws {
        await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            var next = clock.now
            while !Task.isCancelled {
                next = max(next + tick, clock.now - tick)
                try? await clock.sleep(until: next)
                if gateway.readiness.isDraining { await hub.tellViewersToReconnect() }
                await hub.tick()
                if let advertisedAddress {
                    await loads.record(await LiveRoom.load(hub: hub, gateway: gateway), for: advertisedAddress)
                }
            }
        }
    }
}
