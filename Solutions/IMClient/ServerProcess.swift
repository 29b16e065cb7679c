// A real im-server process, for tools (im-faults, im-bench): start, kill without warning, restart.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs `im-server` as a child process with its data in `dataDirectory` (log in `server.log`).
/// Used from one task at a time.
public final class ServerProcess: @unchecked Sendable {
    public let executable: String
    public let dataDirectory: String
    public let port: Int
    /// Extra command-line arguments.
    public let arguments: [String]
    private var process: Process?
    private let log: FileHandle

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The process id while it runs.
    public var pid: Int32? { process.map(\.processIdentifier) }

    public init(executable: String, dataDirectory: String, port: Int, arguments: [String] = []) throws {
        self.arguments = arguments
        self.executable = executable
        self.dataDirectory = dataDirectory
        self.port = port
        let logPath = dataDirectory + "/server.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    }

    /// Starts the process and waits until `/health` answers.
    public func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments =
            [
                "--host", "127.0.0.1", "--port", String(port), "--data", dataDirectory, "--password-cost", "4",
                "--log-level", "warning",
            ] + arguments
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        let client = IMHTTPClient(baseURL: baseURL)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let response = try? await client.raw("GET", "/health", timeout: .seconds(1)), response.status == 200 { return }
            guard process.isRunning else {
                throw IMClientError.unreadableResponse(
                    status: 0, body: "im-server exited at start; see \(dataDirectory)/server.log")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw IMClientError.timedOut("im-server to answer /health (30 s)")
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

/// The resident memory of process `pid` in bytes (Linux `/proc`), if it can be read.
public func residentBytes(ofProcess pid: Int32) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        return kilobytes.map { $0 * 1024 }
    }
    return nil
}

/// CPU time (user + system) a process has used so far, from `/proc/<pid>/stat`; nil elsewhere.
/// Pass `nil` for this process.
public func cpuSeconds(ofProcess pid: Int32?) -> Double? {
    let path = pid.map { "/proc/\($0)/stat" } ?? "/proc/self/stat"
    guard let stat = try? String(contentsOfFile: path, encoding: .utf8),
        let nameEnd = stat.lastIndex(of: ")")
    else { return nil }
    // Fields after the name: state is the 3rd field of the line, utime the 14th, stime the 15th.
    let fields = stat[stat.index(after: nameEnd)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}
