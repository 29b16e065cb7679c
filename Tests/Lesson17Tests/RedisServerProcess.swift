// Lesson 17 tests: a real redis-server on a free loopback port, started and stopped by the test.
//
// Debian's redis-server (apt-get install redis-server; .ci/run installs it). Where it is absent
// the Redis tests are skipped with that reason, except in CI (CI=true), where they run and fail.

import Foundation
import IMCache
import NIOCore
import NIOPosix
import Testing

enum RedisAvailability {
    /// The redis-server on PATH (or Debian's place for it).
    static let path: String? = {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin"]
        return folders.map { $0 + "/redis-server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
    static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"
    /// Run when redis-server is here, and always in CI (where its absence is a failure).
    static let runs = path != nil || inCI
    static let skipReason: Comment =
        "redis-server is not installed (apt-get install redis-server): lesson 17's Redis tests need a real one. In CI (CI=true) they run and fail instead."
}

struct RedisMissing: Error, CustomStringConvertible {
    var description: String { "redis-server not found on PATH; CI must install it (.ci/run's apt-get line)" }
}

struct RedisDidNotStart: Error, CustomStringConvertible {
    let log: String
    var description: String {
        "redis-server did not answer PING within 10 s (if its log below looks fine, check exercise 17.2: "
            + "a parser that never completes a reply looks the same); its log: \(log)"
    }
}

/// One redis-server process, no persistence, listening on 127.0.0.1 only.
final class RedisServerProcess: Sendable {
    let endpoint: RedisEndpoint
    let folder: String
    /// The server runs in the foreground as the test's child, so its pid is known at once.
    let pid: pid_t

    private init(endpoint: RedisEndpoint, folder: String, pid: pid_t) {
        self.endpoint = endpoint
        self.folder = folder
        self.pid = pid
    }

    static func start() async throws -> RedisServerProcess {
        guard let path = RedisAvailability.path else { throw RedisMissing() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("im-redis-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let port = try await freePort()
        let arguments = [
            path, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--logfile", folder + "/redis.log", "--dir", folder,
        ]
        let pid = try spawn(path, arguments)
        let server = RedisServerProcess(endpoint: RedisEndpoint(host: "127.0.0.1", port: port), folder: folder, pid: pid)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let connection = try? await RedisConnection.connect(host: "127.0.0.1", port: port) {
                let answer = try? await connection.send([Array("PING".utf8)])
                await connection.close()
                if answer == .simpleString("PONG") { return server }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let log = (try? String(contentsOfFile: folder + "/redis.log", encoding: .utf8)) ?? "(no log)"
        server.stop()
        throw RedisDidNotStart(log: log)
    }

    /// Stops the server (SIGKILL: nothing of it is kept), reaps it, and removes its folder.
    func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Starts `path` as a child process and returns its pid. (Foundation's `Process` was tried
    /// first: its `waitUntilExit` hung the test run here.)
    static func spawn(_ path: String, _ arguments: [String]) throws -> pid_t {
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        // The test's threads block signals (NIO and Dispatch do), and a child inherits that mask:
        // start redis-server with none blocked, or SIGTERM would never reach it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let spawned = posix_spawn(&pid, path, nil, &attributes, &argv, environ)
        guard spawned == 0 else { throw RedisDidNotStart(log: "posix_spawn \(path) failed: error \(spawned)") }
        return pid
    }

    /// A port the kernel just handed out and took back.
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }
}

/// Runs `body` with a fresh Redis, stopped afterwards.
func withRedis<T>(_ body: (RedisServerProcess) async throws -> T) async throws -> T {
    let redis = try await RedisServerProcess.start()
    do {
        let result = try await body(redis)
        redis.stop()
        return result
    } catch {
        redis.stop()
        throw error
    }
}
