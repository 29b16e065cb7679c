// Tools support: a real im-server process, for im-faults and im-bench — start, kill without
// warning, restart. (Not part of the client library: no app starts a server.)

import Foundation
import IMClient
import NIOCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs `im-server` as a child process with its data in `dataDirectory` (log in `server.log`).
/// Used from one task at a time.
public final class ServerProcess: @unchecked Sendable {
    public let executable: String
    public let dataDirectory: String
    /// The port the server listens on. Chosen by the kernel unless given; kept across restarts.
    public private(set) var port: Int
    /// Whether `start` may move to another port when the first one turns out to be taken: only
    /// before the first start, and only a port it chose (clients keep the URL across restarts).
    private var mayChangePort: Bool
    /// Extra command-line arguments.
    public let arguments: [String]
    /// The open-file limit the server runs with (soft and hard; nil: this process's).
    public let fileLimit: Int?
    private var process: Process? {
        didSet { runningPID.store(process?.processIdentifier ?? 0, ordering: .releasing) }
    }
    private let log: FileHandle

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The process id while it runs; safe to read from any thread (im-faults' watchdog does).
    public var pid: Int32? {
        let pid = runningPID.load(ordering: .acquiring)
        return pid == 0 ? nil : pid
    }
    private let runningPID = Atomic<Int32>(0)

    /// The process ended although neither `kill` nor `stop` ended it: it crashed or exited.
    public var exitedOnItsOwn: Bool { process.map { !$0.isRunning } ?? false }

    /// With `port` nil, a port the kernel reports free is used (and replaced if the server
    /// cannot bind it after all: another process may take it in between).
    public init(
        executable: String, dataDirectory: String, port: Int? = nil, arguments: [String] = [], fileLimit: Int? = nil
    ) throws {
        self.arguments = arguments
        self.fileLimit = fileLimit
        self.executable = executable
        self.dataDirectory = dataDirectory
        self.mayChangePort = port == nil
        self.port = try port ?? unusedLoopbackPort()
        let logPath = dataDirectory + "/server.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    }

    /// Starts the process and waits until `/health` answers. A server that exits at start is
    /// reported with the end of its log.
    public func start() async throws {
        var attempt = 1
        while true {
            do {
                try await startOnce()
                mayChangePort = false
                return
            } catch ServerProcessError.exitedAtStart(let logPath, let logTail) {
                // The port was free when chosen; someone may have taken it since.
                guard mayChangePort, logTail.contains("Address already in use"), attempt < 5 else {
                    throw ServerProcessError.exitedAtStart(logPath: logPath, logTail: logTail)
                }
                attempt += 1
                port = try unusedLoopbackPort()
            }
        }
    }

    private func startOnce() async throws {
        let process = Process()
        let serverArguments =
            [
                "--host", "127.0.0.1", "--port", String(port), "--data", dataDirectory, "--password-cost", "4",
                "--log-level", "warning",
            ] + arguments
        if let fileLimit {
            // The shell lowers the limit and replaces itself with the server: same pid, new limit.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(fileLimit) && exec \"$0\" \"$@\"", executable] + serverArguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = serverArguments
        }
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        let client = IMHTTPClient(baseURL: baseURL)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let response = try? await client.raw("GET", "/health", timeout: .seconds(1)), response.status == 200 { return }
            guard process.isRunning else {
                self.process = nil
                throw ServerProcessError.exitedAtStart(logPath: dataDirectory + "/server.log", logTail: logTail())
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw IMClientError.timedOut("im-server to answer /health (30 s)")
    }

    /// The last lines of `server.log`.
    public func logTail(lines: Int = 20) -> String {
        guard let all = logLines() else { return "(no log)" }
        return all.suffix(lines).joined(separator: "\n")
    }

    private func logLines() -> [Substring]? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/server.log", encoding: .utf8) else { return nil }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// What `server.log` says of a crash: Swift's "Program crashed" line and the backtrace of the
    /// crashed thread (the end of the log is only the list of loaded images); the log's last lines
    /// when it holds no backtrace.
    public func crashReport(lines: Int = 45) -> String {
        guard let all = logLines() else { return "(no log)" }
        guard let thread = all.firstIndex(where: { $0.hasPrefix("Thread ") && $0.hasSuffix(" crashed:") }) else {
            return logTail(lines: lines)
        }
        let headline = all.first { $0.contains("Program crashed") || $0.contains("Fatal error") }.map { [$0] } ?? []
        return (headline + all[thread..<min(all.count, thread + lines)]).joined(separator: "\n")
    }

    /// SIGKILL: no shutdown, no flush — what a crash or a power cut looks like to the process.
    public func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// SIGTERM, then up to 30 s for the graceful shutdown; SIGKILL after that, so that a tool
    /// driving the server never hangs on it. Returns false when the process had to be killed.
    @discardableResult
    public func stop() -> Bool {
        guard let process, process.isRunning else { return true }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline { usleep(50_000) }
        let graceful = !process.isRunning
        if !graceful { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        self.process = nil
        return graceful
    }
}
