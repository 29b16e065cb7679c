// Lesson 11: the configuration of the assembled IM. Every field has a default that runs.

import IMDelivery
import IMGateway
import IMHeartbeat
import IMSecurity
import IMSync
import Logging

/// How `im-server` runs. The defaults start a working server on 127.0.0.1:8080 with its data in `./data`.
/// Later lessons' settings travel with their extensions (see `ComposedServerConfiguration`).
public struct IMServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (tests use this); the bound port is reported when the server runs.
    public var port = 8080
    /// Folder of the SQLite file (`im.sqlite`), created on first run.
    public var dataDirectory = "data"
    /// Create the demo users alice, bob and carol (password `password123`) if they do not exist.
    public var seedDemoUsers = false
    /// Sync every commit to disk (see `SQLiteStore.Configuration.syncEveryCommit`).
    public var syncEveryCommit = true
    public var gateway = GatewayConfiguration()
    /// Lesson 04: when unacknowledged pushes are repeated, and when a connection is given up.
    public var pushRetry = RetryPolicy()
    /// Lessons 05 and 09: sequence step and the offline store's cap.
    public var sync = SyncStore.Configuration()
    /// Lesson 09 (performance): background WAL checkpoints.
    public var checkpoints = WALCheckpointer.Configuration()
    /// Lesson 08: when a silent WebSocket is closed (above the clients' heartbeat ceiling).
    public var idle = IdleSweeper.Configuration()
    /// Lesson 11: how a shutdown lets clients go (not ready first, then in spread-out batches).
    public var drain = ConnectionDrainer.Configuration()
    public var logLevel: Logger.Level = .info
    /// Lesson 06: TLS on the one listener (HTTPS, WSS, every route). Nil: plain HTTP.
    public var tls: ServerTLS?
    /// Lesson 06: the key that signs session tokens. Nil: read from (or created in) `tokenKeyPath`.
    public var tokenSigningKey: [UInt8]?
    /// Lesson 06: how long a signed session token is valid (the session itself lasts `gateway.sessionLifetime`).
    public var tokenLifetime: Duration = .seconds(24 * 3600)
    /// Lesson 06: the addresses `GET /api/v1/dns` hands out, and their TTL.
    public var httpDNS = HttpDNSConfiguration()

    public init() {}

    /// The SQLite file.
    public var databasePath: String { dataDirectory + "/im.sqlite" }

    /// The token signing key's file, next to the database (lesson 06).
    public var tokenKeyPath: String { dataDirectory + "/token.key" }

    /// The demo accounts created by `seedDemoUsers`.
    public static let demoUsers = [("alice", "Alice"), ("bob", "Bob"), ("carol", "Carol")]
    public static let demoPassword = "password123"
}
