// `im-server`: runs the IM. `swift run im-server --help` lists the options.

import ArgumentParser
import Foundation
import IMCache
import IMComposition
import IMCore
import IMGateway
import IMGroup
import IMHeartbeat
import IMLiveRoom
import IMObservability
import IMResilience
import IMSecurity
import IMServer
import IMSync
import IMUpload
import Logging
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

@main
struct IMServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "im-server",
        abstract: "Runs the IM server: HTTP API, WebSocket, long polling and the web client, on an SQLite file.")

    @Option(help: "Address to listen on (env IM_HOST).")
    var host: String = Self.environment("IM_HOST") ?? "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one (env IM_PORT).")
    var port: Int = Int(Self.environment("IM_PORT") ?? "") ?? 8080

    @Option(help: "Folder for the SQLite file, created if missing (env IM_DATA).")
    var data: String = Self.environment("IM_DATA") ?? "data"

    @Flag(help: "Create the demo users alice, bob and carol (password: password123).")
    var demo = false

    @Option(help: "bcrypt cost for new passwords (4–31; each step doubles the work).")
    var passwordCost: UInt8 = 10

    @Flag(
        inversion: .prefixedNo,
        help:
            "Sync every commit to disk, so an acknowledged message survives a power loss (--no-sync: a process crash only; faster)."
    )
    var sync = true

    @Option(
        help:
            "Under steady traffic, wait this many microseconds before a commit so that it carries more sends: less CPU, slower ACKs (0: never)."
    )
    var commitDelay: Int = 0

    @Option(help: "Close a WebSocket silent for this many seconds (keep it above the clients' heartbeat interval).")
    var idleTimeout: Int = 660

    @Option(
        help:
            "At shutdown, seconds /health answers 503 before connections are closed (behind a load balancer: a few health-check intervals)."
    )
    var drainGrace: Int = 0

    @Option(help: "At shutdown, seconds over which live connections are closed in batches, so they do not all reconnect at once.")
    var drainWindow: Int = 2

    @Option(
        help:
            "Most connections open at once. When reached, the oldest connection that has not sent a request yet is closed to make room, else the new one (0: the open-file limit less 64; env IM_MAX_CONNECTIONS)."
    )
    var maxConnections: Int = Int(Self.environment("IM_MAX_CONNECTIONS") ?? "") ?? 0

    @Option(
        help:
            "Most connections open at once from one client address, with the same rule (0: no cap; env IM_MAX_CONNECTIONS_PER_ADDRESS). Raise it when clients share an address (NAT, a proxy on this host)."
    )
    var maxConnectionsPerAddress: Int = Int(Self.environment("IM_MAX_CONNECTIONS_PER_ADDRESS") ?? "") ?? 1_000

    @Option(help: "Sends per second per user over WebSocket and tunnel, on average (0: no limit; env IM_SEND_RATE).")
    var sendRate: Double = Double(Self.environment("IM_SEND_RATE") ?? "") ?? 20

    @Option(help: "Sends a user may make at once after a quiet spell (the token bucket's size).")
    var sendBurst: Double = 100

    @Flag(
        inversion: .prefixedNo,
        help:
            "Refuse work at once (503 unavailable) when requests pile up or the store fails (lesson 12's adaptive limit and breaker)."
    )
    var shedLoad = true

    @Flag(
        inversion: .prefixedNo,
        help:
            "Limit per client address the new connections (10/s, burst 100), tunnel sessions (10/s, burst 100), registrations (1 per 5 s, burst 30) and logins (2/s, burst 60); over them: 429 with Retry-After (lesson 12; env IM_ADDRESS_LIMITS=0 turns them off)."
    )
    var addressLimits = Self.environment("IM_ADDRESS_LIMITS") != "0"

    @Option(help: "Also limit every other /api request per client address to this many per second, burst 10 times that (0: off).")
    var addressApiRate: Double = 0

    @Option(
        help:
            "Address of a proxy of yours (nginx, haproxy) whose X-Forwarded-For names the client, for the limits per address (repeat for several)."
    )
    var trustedProxy: [String] = []

    @Option(help: "Seconds a new connection has to send its first request head (an HTTP request or the WebSocket upgrade).")
    var firstRequestTimeout: Int = 10

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env IM_LOG_LEVEL).")
    var logLevel: String = Self.environment("IM_LOG_LEVEL") ?? "info"

    @Option(help: "PEM certificate chain: serve HTTPS and WSS only, with --tls-key (env IM_TLS_CERT).")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert (env IM_TLS_KEY).")
    var tlsKey: String?

    @Option(help: "A gateway address that GET /api/v1/dns hands out (repeat it; default: the address asked).")
    var dnsGateway: [String] = []

    @Option(help: "Seconds clients may cache an HttpDNS answer.")
    var dnsTTL: Int = 60

    @Option(help: "Hours a signed session token is valid; clients get a fresh one after half of it.")
    var tokenHours: Int = 24

    @Option(help: "Lesson 20: the most members a group may have.")
    var groupMaxMembers: Int = 10_000

    @Option(name: .customLong("upload-max-mib"), help: "Lesson 14: the largest upload in MiB (Tus-Max-Size).")
    var uploadMaxMiB: Int = 512

    @Option(name: .customLong("upload-quota-mib"), help: "Lesson 14: MiB of uploads, finished or not, one user may hold.")
    var uploadQuotaMiB: Int = 2048

    @Option(help: "Lesson 14: hours an unfinished upload is kept after its last chunk before it is swept.")
    var uploadExpiryHours: Int = 24

    @Option(
        help:
            "Lesson 17: a Redis instance (host:port) as the shared cache level; repeat it to spread keys (default: none, the in-process level only; env IM_REDIS, comma-separated)."
    )
    var redis: [String] = Self.environment("IM_REDIS").map { $0.split(separator: ",").map(String.init) } ?? []

    @Option(help: "Lesson 17: entries kept in the in-process cache level (0 turns the cache off).")
    var cacheEntries: Int = 10_000

    @Option(help: "Lesson 17: seconds the in-process level keeps an entry (jittered ±20 %).")
    var cacheLocalTTL: Int = 5

    @Option(help: "Lesson 17: milliseconds a Redis command may take before the read goes to the store.")
    var redisTimeout: Int = 200

    @Option(help: "Live rooms: milliseconds between two batches of a room (lesson 10).")
    var roomTick: Int = 100

    @Option(help: "Live rooms: ordinary comments a viewer is sent per second at most; gifts and the host's posts always go.")
    var roomCommentCap: Int = 20

    @Option(help: "Live rooms: posts per second one viewer may make (token bucket; the burst is 2.5 times this, at least 1).")
    var roomPostRate: Int = 2

    @Option(name: .customLong("room-buffer-kib"), help: "Live rooms: KiB a viewer may have unsent before it misses batches.")
    var roomBufferKiB: Int = 256

    @Option(help: "Live rooms: seconds a viewer may miss every batch before it is disconnected.")
    var roomStuckSeconds: Int = 10

    @Option(help: "Live rooms: this gateway's own address among --dns-gateway; HttpDNS orders the gateways least-loaded first.")
    var advertise: String?

    @Flag(inversion: .prefixedNo, help: "Lesson 19: serve Prometheus metrics at GET /metrics.")
    var metrics = true

    @Option(
        help:
            "Lesson 19: export message traces over OTLP/HTTP to this URL, e.g. http://127.0.0.1:4318/v1/traces (env IM_OTLP_ENDPOINT)."
    )
    var otlpEndpoint: String?

    @Option(help: "Lesson 19: share of sends traced, 0...1 (the field traces every uplink message).")
    var traceUplinkRate: Double = 1.0

    @Option(help: "Lesson 19: share of pushes traced, 0...1 (the field: 0.01).")
    var traceDownlinkRate: Double = 0.01

    @Option(help: "Lesson 19: a user id whose messages are always traced (repeat it).")
    var traceUser: [Int64] = []

    func validate() throws {
        guard (0...1).contains(traceUplinkRate), (0...1).contains(traceDownlinkRate) else {
            throw ValidationError("--trace-uplink-rate and --trace-downlink-rate must be 0...1")
        }
        if let otlpEndpoint, URL(string: otlpEndpoint)?.scheme?.hasPrefix("http") != true {
            throw ValidationError("--otlp-endpoint must be an http(s) URL")
        }
        guard (certificatePath == nil) == (keyPath == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        guard dnsTTL >= 1 else { throw ValidationError("--dns-ttl must be at least 1") }
        guard tokenHours >= 1 else { throw ValidationError("--token-hours must be at least 1") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard (4...31).contains(passwordCost) else { throw ValidationError("--password-cost must be 4...31") }
        guard (0...100_000).contains(commitDelay) else { throw ValidationError("--commit-delay must be 0...100000 µs") }
        guard idleTimeout >= 5 else { throw ValidationError("--idle-timeout must be at least 5 seconds") }
        guard (0...60).contains(drainGrace), (0...60).contains(drainWindow) else {
            throw ValidationError("--drain-grace and --drain-window must be 0...60 seconds")
        }
        guard maxConnections >= 0 else { throw ValidationError("--max-connections must be 0 or more") }
        guard maxConnectionsPerAddress >= 0 else { throw ValidationError("--max-connections-per-address must be 0 or more") }
        guard sendRate >= 0, sendBurst >= 1 else {
            throw ValidationError("--send-rate must be 0 or more, --send-burst 1 or more")
        }
        guard addressApiRate >= 0 else { throw ValidationError("--address-api-rate must be 0 or more") }
        guard firstRequestTimeout >= 1 else { throw ValidationError("--first-request-timeout must be at least 1 second") }
        guard groupMaxMembers >= 2 else { throw ValidationError("--group-max-members must be at least 2") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
        guard uploadMaxMiB >= 1, uploadQuotaMiB >= 1, uploadExpiryHours >= 1 else {
            throw ValidationError("--upload-max-mib, --upload-quota-mib and --upload-expiry-hours must be at least 1")
        }
        for address in redis where RedisEndpoint(address) == nil {
            throw ValidationError("--redis \(address): expected host:port")
        }
        guard cacheEntries >= 0, cacheLocalTTL >= 0, redisTimeout >= 1 else {
            throw ValidationError("--cache-entries and --cache-local-ttl must be 0 or more, --redis-timeout at least 1")
        }
        guard (10...10_000).contains(roomTick) else { throw ValidationError("--room-tick must be 10...10000 ms") }
        guard roomCommentCap >= 0, roomPostRate >= 1, roomBufferKiB >= 1, roomStuckSeconds >= 1 else {
            throw ValidationError(
                "--room-comment-cap must be 0 or more; --room-post-rate, --room-buffer-kib and --room-stuck-seconds at least 1")
        }
    }

    func run() async throws {
        // Every connection holds a descriptor: use all the hard limit allows (as Go's runtime
        // does); the default connection cap follows from it.
        Self.raiseFileLimit()
        let budget = ConnectionLimiter.defaultMaxConnections()
        if maxConnections > budget {
            FileHandle.standardError.write(
                Data(
                    ("im-server: warning: --max-connections \(maxConnections) is above the open-file limit less 64 "
                        + "(\(budget)); out of descriptors, accepts pause and the process may abort\n").utf8))
        }
        var configuration = ComposedServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.dataDirectory = data
        configuration.seedDemoUsers = demo
        configuration.syncEveryCommit = sync
        configuration.sync.linger.delay = .microseconds(commitDelay)
        configuration.gateway.passwordHashCost = passwordCost
        configuration.gateway.maxConnections = maxConnections == 0 ? nil : maxConnections
        configuration.gateway.maxConnectionsPerAddress = maxConnectionsPerAddress == 0 ? Int.max : maxConnectionsPerAddress
        configuration.gateway.firstRequestTimeout = .seconds(firstRequestTimeout)
        configuration.idle.idleTimeout = .seconds(idleTimeout)
        configuration.idle.sweepInterval = .seconds(max(1, min(10, idleTimeout / 10)))
        configuration.drain.notReadyGrace = .seconds(drainGrace)
        configuration.drain.window = .seconds(drainWindow)
        configuration.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        configuration.resilience.sends = sendRate == 0 ? nil : .init(rate: sendRate, burst: sendBurst)
        configuration.resilience.perAddress =
            addressLimits
            ? RouteLimit.defaults + (addressApiRate > 0 ? [.api(rate: addressApiRate, burst: addressApiRate * 10)] : []) : []
        configuration.gateway.trustedProxies = Set(trustedProxy)
        if !shedLoad {
            configuration.resilience.concurrency = nil
            configuration.resilience.breaker = nil
        }
        configuration.tokenLifetime = .seconds(tokenHours * 3600)
        configuration.group.maxMembers = groupMaxMembers
        configuration.upload.maxSize = Int64(uploadMaxMiB) << 20
        configuration.upload.quotaPerUser = Int64(uploadQuotaMiB) << 20
        configuration.upload.expiry = .seconds(uploadExpiryHours * 3600)
        configuration.cache.enabled = cacheEntries > 0
        configuration.cache.localMaxEntries = max(1, cacheEntries)
        configuration.cache.localTTL = .seconds(cacheLocalTTL)
        configuration.cache.redis = redis.compactMap(RedisEndpoint.init)
        configuration.cache.redisCommandTimeout = .milliseconds(redisTimeout)
        configuration.httpDNS = HttpDNSConfiguration(
            services: dnsGateway.isEmpty ? [:] : [HttpDNSDirectory.defaultService: dnsGateway], ttl: .seconds(dnsTTL))
        configuration.liveRoom.tick = .milliseconds(roomTick)
        configuration.liveRoom.commentsPerSecond = roomCommentCap
        configuration.liveRoom.postsPerSecond = roomPostRate
        configuration.liveRoom.postBurst = max(1, roomPostRate * 5 / 2)
        configuration.liveRoom.maxPendingBytes = roomBufferKiB * 1024
        configuration.liveRoom.maxStuck = .seconds(roomStuckSeconds)
        configuration.liveRoom.advertisedAddress = advertise
        configuration.observability.metricsEnabled = metrics
        configuration.observability.otlpEndpoint = otlpEndpoint ?? ProcessInfo.processInfo.environment["IM_OTLP_ENDPOINT"]
        configuration.observability.sampler = TraceSampler(
            uplinkRate: traceUplinkRate, downlinkRate: traceDownlinkRate, chosenUsers: Set(traceUser.map { UserID($0) }))
        if let certificatePath, let keyPath {
            configuration.tls = try ServerTLS.files(certificate: certificatePath, key: keyPath)
        }
        let scheme = configuration.tls == nil ? "http" : "https"
        let pin = try configuration.tls.map { try PublicKeyPin(certificatePEM: $0.certificateChainPEM) }

        let server = try ComposedServer.make(configuration: configuration)
        if demo {
            try await server.seedDemoUsers()
        }
        let host = host
        let demo = demo
        let databasePath = configuration.databasePath
        let services = try server.makeServiceGroup(gracefulShutdownSignals: [.sigterm, .sigint]) { port in
            Self.output("IM server running. Open \(scheme)://\(host):\(port)/ in a browser.")
            if let pin { Self.output("TLS on every route; key pin for clients: \(pin)") }
            if demo { Self.output("Demo users: alice, bob, carol (password: \(IMServerConfiguration.demoPassword))") }
            Self.output("Data: \(databasePath). Stop with Ctrl-C.")
        }
        // The group drains and stops within 15 s. A connection whose handler does not end even when
        // cancelled (seen with a half-open peer) must not keep the process alive after that:
        // 20 s after the first SIGTERM/SIGINT the process exits, as an orchestrator would kill it.
        let hardStop = Task {
            for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                guard (try? await Task.sleep(for: .seconds(20))) != nil else { return }
                FileHandle.standardError.write(
                    Data("im-server: not stopped 20 s after \(signal); exiting without waiting further\n".utf8))
                Foundation.exit(1)
            }
        }
        try await services.run()
        hardStop.cancel()
    }

    /// The TLS files, from the flags or the environment.
    private var certificatePath: String? { tlsCert ?? Self.environment("IM_TLS_CERT") }
    private var keyPath: String? { tlsKey ?? Self.environment("IM_TLS_KEY") }

    /// Writes a line at once, so a script or test reading our output sees the URL immediately.
    private static func output(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Raises the soft limit on open files to the hard limit.
    private static func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    private static func environment(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name]
    }
}
