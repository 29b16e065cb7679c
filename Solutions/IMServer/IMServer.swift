// Lesson 11 (midterm): the IM assembled — every lesson's part, wired into one process.
//
//   clients ──► Gateway (HTTP API, long polls, WebSocket, session map, push tracking)  access layer
//                  │ ChatService (rules; store, then push timeline entries)            logic layer
//                  ▼ SyncStore over SQLiteStore (messages, seq, unread, timelines)     storage
//
// The gateway calls the logic layer; the logic layer pushes back through `TimelinePusher`.
// Three steps make a server of the parts: wire them (11.1), run them as services that start and
// stop cleanly (11.3), and let clients go gently at shutdown (11.2, in ConnectionDrainer).
//
// Lessons after this one (the HTTP tunnel of 13, and those to come) are not imported here: each
// offers a `ServerExtension` (IMGateway), and the server composes the list it is given. The list
// is written once, in `IMComposition`, for im-server and the tests.

import CourseSupport
import Foundation
import Hummingbird
import IMCore
import IMDelivery
import IMGateway
import IMHeartbeat
import IMSecurity
import IMStore
import IMSync
import Logging
import ServiceLifecycle
import UnixSignals

/// Builds and runs the IM server.
public struct IMServer: Sendable {
    public let configuration: IMServerConfiguration
    public let store: SQLiteStore
    /// Lessons 04–09: exactly-once sends, seq, unread and timelines, on the same SQLite file.
    public let syncStore: SyncStore
    public let gateway: Gateway
    public let chat: ChatService
    /// Lesson 08: closes WebSockets that stay silent longer than the idle timeout.
    public let idleSweeper: IdleSweeper
    /// Lesson 04: the one clock that re-pushes unacknowledged pushes on every connection.
    public let pushTimer: PushTimer
    /// Lesson 06: signed, expiring session tokens.
    public let tokenFormat: SignedTokenFormat
    /// Lesson 06: `GET /api/v1/dns`.
    public let httpDNS: HttpDNSDirectory
    /// What later lessons add (routes, frame handlers, services), in the order given.
    public let extensions: [any ServerExtension]

    /// Opens the store and wires the layers together, with `extensions` on top. Nothing listens yet.
    public init(configuration: IMServerConfiguration, extensions: [any ServerExtension] = []) throws {
        try self.init(configuration: configuration) { _ in extensions }
    }

    /// The parts of the assembled server that a later lesson's extension may be built on: lesson 20
    /// keeps its group tables in the server's SQLite file and finds members in the session map.
    public struct Parts: Sendable {
        public let store: SQLiteStore
        public let gateway: Gateway
        public let chat: ChatService
    }

    /// Opens the store and wires the layers together, then asks `makeExtensions` for the extensions
    /// on top, which may use the server's parts. Nothing listens yet.
    public init(
        configuration: IMServerConfiguration, makeExtensions: (Parts) throws -> [any ServerExtension]
    ) throws {
        // Lesson 06: a bad certificate or key stops the start here, with a clear message.
        if let tls = configuration.tls { _ = try tls.makeConfiguration() }
        tokenFormat = SignedTokenFormat(
            key: try configuration.tokenSigningKey ?? TokenSigningKey.loadOrCreate(at: configuration.tokenKeyPath),
            lifetime: configuration.tokenLifetime)
        httpDNS = HttpDNSDirectory(configuration: configuration.httpDNS, scheme: configuration.tls == nil ? "http" : "https")
        pushTimer = PushTimer()
        // BEGIN EXERCISE 11.1: Open the SQLite store with the sync tables, then build SyncStore, Gateway (with ACKed pushes) and ChatService on it.
        self.configuration = configuration
        store = try SQLiteStore(
            configuration: .init(
                path: configuration.databasePath, syncEveryCommit: configuration.syncEveryCommit,
                migrations: SyncStore.migrations))
        syncStore = SyncStore(base: store, configuration: configuration.sync)
        idleSweeper = IdleSweeper(configuration: configuration.idle)
        gateway = Gateway(
            accounts: AccountService(store: store, configuration: configuration.gateway, tokenFormat: tokenFormat),
            configuration: configuration.gateway,
            pushTracking: AckedPushTracking(policy: configuration.pushRetry, timer: pushTimer), connectionObserver: idleSweeper)
        chat = ChatService(store: syncStore, accounts: store, pusher: gateway.timelinePusher)
        // STUB: throw Exercise.notImplemented("11.1", expected: "the store opened at configuration.databasePath with SyncStore.migrations, and SyncStore, Gateway (AckedPushTracking) and ChatService (SyncStore and the gateway's timeline pusher) wired on it, the gateway watched by an IdleSweeper")
        // END EXERCISE 11.1
        extensions = try makeExtensions(Parts(store: store, gateway: gateway, chat: chat))
        for serverExtension in extensions {
            for gate in serverExtension.requestGates { gateway.requestGates.add(gate) }
            gateway.coreFrameTypes.insert(contentsOf: serverExtension.coreFrameTypes)
        }
    }

    /// The server's one front door: the gateway's API and WebSocket, then the web client's files.
    public func makeRouter(logger: Logger) -> Router<IMRequestContext> {
        let router = Router(context: IMRequestContext.self)
        gateway.addRoutes(to: router, responder: frameResponder)
        if let publicFolder = Self.webClientFolder {
            router.add(middleware: FileMiddleware(publicFolder, searchForIndexHtml: true, logger: logger))
        }
        // Lesson 10: an extension may order the answer (least-loaded gateways first).
        httpDNS.addRoutes(to: router, ordering: extensions.lazy.compactMap { $0 as? any HttpDNSOrdering }.first)
        // Later lessons' routes sit beside the gateway's and share its error middleware.
        let context = extensionContext(logger: logger)
        for serverExtension in extensions { serverExtension.addRoutes(to: router, context: context) }
        return router
    }

    /// The Hummingbird application: API, WebSocket and the web client. `onRunning` gets the bound port.
    /// With `configuration.tls` every connection is TLS (lesson 06); nothing is served in clear.
    public func makeApplication(
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol & Service {
        let logger = logger
        let router = makeRouter(logger: logger)
        let plain = gateway.serverBuilder(responder: frameResponder)
        let context = extensionContext(logger: logger)
        return Application(
            router: router,
            server: try configuration.tls.map { try $0.wrap(plain) } ?? plain,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "im-server"),
            // Lesson 09: WAL checkpoints on a connection of their own, not in the writer's way; then
            // later lessons' services. The application stops them after its server.
            services: [try WALCheckpointer(database: store.database, configuration: configuration.checkpoints)]
                + extensions.flatMap { $0.makeServices(context: context) },
            onServerRunning: { [gateway] channel in
                await gateway.listenerStarted(channel, logger: logger)
                await onRunning(channel.localAddress?.port ?? 0)
            },
            logger: logger)
    }

    /// Everything the server runs, as one `ServiceGroup`: the application, and the drainer that
    /// closes live connections first when a shutdown begins. `signals` start a graceful shutdown
    /// (im-server passes SIGTERM and SIGINT; tests pass none and call `triggerGracefulShutdown`).
    public func makeServiceGroup(
        gracefulShutdownSignals signals: [UnixSignal], onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> ServiceGroup {
        let logger = logger
        // BEGIN EXERCISE 11.3: Group the application, the idle sweeper, the push timer and a ConnectionDrainer so that, on shutdown, connections are drained before the listener stops.
        // Services stop in reverse order: the drainer (last) reacts first, then the application.
        let services: [any Service] = [
            try makeApplication(onRunning: onRunning), idleSweeper, pushTimer,
            ConnectionDrainer(gateway: gateway, configuration: configuration.drain),
        ]
        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: signals, logger: logger)
        // A client that will not let go must not keep the process alive forever; the drain's own
        // waiting (lesson 11.2) comes on top.
        groupConfiguration.maximumGracefulShutdownDuration =
            .seconds(15) + configuration.drain.notReadyGrace + configuration.drain.window
        return ServiceGroup(configuration: groupConfiguration)
        // STUB: throw Exercise.notImplemented("11.3", expected: "a ServiceGroup running the application, the IdleSweeper, the PushTimer and a ConnectionDrainer (last), stopping gracefully on the given signals")
        // END EXERCISE 11.3
    }

    /// The server's logger, at the configured level.
    public var logger: Logger {
        var logger = Logger(label: "im-server")
        logger.logLevel = configuration.logLevel
        return logger
    }

    /// Creates the demo users that do not exist yet.
    public func seedDemoUsers() async throws {
        for (username, displayName) in IMServerConfiguration.demoUsers {
            guard try await store.account(username: username) == nil else { continue }
            _ = try await gateway.accounts.register(
                username: username, password: IMServerConfiguration.demoPassword, displayName: displayName)
        }
    }

    /// Where the web client's files are (shipped as resources of this module).
    public static var webClientFolder: String? {
        Bundle.module.resourceURL.map { $0.appendingPathComponent("Public").path }
    }
}
