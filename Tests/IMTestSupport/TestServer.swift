// Test support: a real IM server on a free loopback port, with its data in a real SQLite file.

import Foundation
import Hummingbird
import IMClient
import IMComposition
import IMCore
import IMGateway
import IMServer
import Logging
import ServiceLifecycle

/// A running `IMServer`, composed as im-server composes it (with every later lesson's extension).
/// Start it with `TestServer.start`, stop it with `stop()`.
public final class TestServer: Sendable {
    public let server: IMServer
    public let port: Int
    public let dataDirectory: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// `https://localhost:…` when the server speaks TLS (lesson 06: certificates name localhost,
    /// and an IP address cannot be sent as a TLS server name), `http://127.0.0.1:…` otherwise.
    public var baseURL: String {
        server.configuration.tls == nil ? "http://127.0.0.1:\(port)" : "https://localhost:\(port)"
    }

    private init(server: IMServer, port: Int, dataDirectory: String, group: ServiceGroup, task: Task<Void, any Error>) {
        self.server = server
        self.port = port
        self.dataDirectory = dataDirectory
        self.group = group
        self.task = task
    }

    /// Starts a server on 127.0.0.1 with a free port and its data in `dataDirectory`.
    /// Passwords are hashed at the lowest bcrypt cost to keep tests quick. `extraExtensions` come
    /// after the composed ones (tests of the seam use them), before lesson 19's, which answers `send`.
    public static func start(
        dataDirectory: String, configure: (inout ComposedServerConfiguration) -> Void = { _ in },
        extraExtensions: [any ServerExtension] = []
    ) async throws -> TestServer {
        var configuration = ComposedServerConfiguration()
        configuration.port = 0
        configuration.dataDirectory = dataDirectory
        configuration.gateway.passwordHashCost = 4
        configuration.syncEveryCommit = false
        configuration.logLevel = .warning
        configure(&configuration)

        let server = try IMServer(configuration: configuration.server) { parts in
            try ComposedServer.extensions(configuration, parts: parts, extra: extraExtensions)
        }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        // Lesson 11's composition: the same service group im-server runs, without signal handlers.
        let group = try server.makeServiceGroup(gracefulShutdownSignals: []) { port in
            portContinuation.yield(port)
            portContinuation.finish()
        }
        let task = Task { try await group.run() }
        let port = await withTaskGroup(of: Int?.self) { race in
            race.addTask { await ports.first { _ in true } }
            race.addTask {
                try? await Task.sleep(for: .seconds(20))
                return nil
            }
            let first = await race.next() ?? nil
            race.cancelAll()
            return first
        }
        guard let port else {
            task.cancel()
            throw IMClientError.timedOut("the test server to start")
        }
        return TestServer(server: server, port: port, dataDirectory: dataDirectory, group: group, task: task)
    }

    /// Stops the server gracefully (and forcefully after 5 s); returns whether it stopped gracefully.
    @discardableResult
    public func stop() async -> Bool {
        await group.triggerGracefulShutdown()
        let finished = await withTaskGroup(of: Bool.self) { race in
            race.addTask {
                _ = try? await self.task.value
                return true
            }
            race.addTask {
                try? await Task.sleep(for: .seconds(5))
                return false
            }
            let first = await race.next() ?? false
            race.cancelAll()
            return first
        }
        if !finished { task.cancel() }
        return finished
    }

    /// An anonymous HTTP client of this server.
    public func client() -> IMHTTPClient { IMHTTPClient(baseURL: baseURL) }

    /// Registers a new user with a unique name; returns a client logged in as that user.
    public func registerUser(_ prefix: String = "u", password: String = "password123", deviceID: String? = nil)
        async throws -> TestUser
    {
        let credentials = try await client().register(
            username: uniqueUsername(prefix), password: password, displayName: nil, deviceID: deviceID)
        return TestUser(credentials: credentials, http: client().authenticated(credentials), password: password)
    }

    /// A second device (a new session) of `user`.
    public func login(_ user: TestUser, deviceID: String) async throws -> TestUser {
        let credentials = try await client().login(username: user.username, password: user.password, deviceID: deviceID)
        return TestUser(credentials: credentials, http: client().authenticated(credentials), password: user.password)
    }

    /// Opens a WebSocket as `user`.
    public func connect(_ user: TestUser, tokenInQuery: Bool = false) async throws -> IMWebSocketClient {
        try await IMWebSocketClient.connect(baseURL: baseURL, token: user.credentials.token, tokenInQuery: tokenInQuery)
    }
}

/// A registered user and an HTTP client logged in as them.
public struct TestUser: Sendable {
    public let credentials: Credentials
    public let http: IMHTTPClient
    public let password: String
    public var id: UserID { credentials.user.id }
    public var username: String { credentials.user.username }

    /// The conversation between this user and `other`.
    public func conversation(with other: TestUser) -> ConversationID { .direct(id, other.id) }
}

/// Runs `body` against a fresh server with a fresh data folder; stops it and removes the folder after.
public func withTestServer<T>(
    configure: (inout ComposedServerConfiguration) -> Void = { _ in }, extraExtensions: [any ServerExtension] = [],
    _ body: (TestServer) async throws -> T
) async throws -> T {
    try await withTemporaryDirectory { directory in
        let server = try await TestServer.start(
            dataDirectory: directory.path, configure: configure, extraExtensions: extraExtensions)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }
}
