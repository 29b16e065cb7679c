// The IM assembled (lesson 11 will walk through this module): store, logic and gateway in one process.
//
//   clients ──► Gateway (HTTP API, long polls, WebSocket, session map)   access layer
//                  │ ChatService (rules, store-then-push)                 logic layer
//                  ▼ SQLiteStore (messages, per-user index, contacts)     storage
//
// The gateway calls the logic layer; the logic layer pushes back through `MessagePusher`.

import Foundation
import Hummingbird
import IMCore
import IMGateway
import IMStore
import IMSync
import Logging

/// Builds and runs the IM server.
public struct IMServer: Sendable {
    public let configuration: IMServerConfiguration
    public let store: SQLiteStore
    /// Lessons 04–09: exactly-once sends, seq, unread and timelines, on the same SQLite file.
    public let syncStore: SyncStore
    public let gateway: Gateway
    public let chat: ChatService

    /// Opens the store and wires the layers together. Nothing listens yet.
    public init(configuration: IMServerConfiguration) throws {
        self.configuration = configuration
        store = try SQLiteStore(
            configuration: .init(
                path: configuration.databasePath, syncEveryCommit: configuration.syncEveryCommit,
                migrations: SyncStore.migrations))
        syncStore = SyncStore(base: store, configuration: configuration.sync)
        gateway = Gateway(
            accounts: AccountService(store: store, configuration: configuration.gateway),
            configuration: configuration.gateway,
            pushTracking: AckedPushTracking(policy: configuration.pushRetry))
        chat = ChatService(
            messages: syncStore, accounts: store, pusher: gateway.pusher, timeline: syncStore,
            timelinePusher: gateway.timelinePusher)
    }

    /// The Hummingbird application: API, WebSocket and the web client. `onRunning` gets the bound port.
    public func makeApplication(
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var logger = Logger(label: "im-server")
        logger.logLevel = configuration.logLevel
        let router = Router(context: IMRequestContext.self)
        gateway.addRoutes(to: router, chat: chat)
        if let publicFolder = Self.webClientFolder {
            router.add(middleware: FileMiddleware(publicFolder, searchForIndexHtml: true, logger: logger))
        }
        return Application(
            router: router,
            server: gateway.serverBuilder(router: router),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "im-server"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
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
