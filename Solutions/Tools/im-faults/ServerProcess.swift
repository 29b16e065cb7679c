// A real im-server process that can be killed without warning and started again on its data.

import Foundation
import IMClient

#if canImport(Glibc)
    import Glibc
#endif

final class ServerProcess: @unchecked Sendable {
    let executable: String
    let dataDirectory: String
    let port: Int
    private var process: Process?
    private let log: FileHandle

    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(executable: String, dataDirectory: String, port: Int) throws {
        self.executable = executable
        self.dataDirectory = dataDirectory
        self.port = port
        let logPath = dataDirectory + "/server.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    }

    /// Starts the process and waits until `/health` answers.
    func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--host", "127.0.0.1", "--port", String(port), "--data", dataDirectory, "--password-cost", "4",
            "--log-level", "warning",
        ]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        let client = IMHTTPClient(baseURL: baseURL)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let response = try? await client.raw("GET", "/health", timeout: .seconds(1)), response.status == 200 { return }
            guard process.isRunning else { throw FaultError("im-server exited at start; see \(dataDirectory)/server.log") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw FaultError("im-server did not answer /health within 30 s")
    }

    /// SIGKILL: no shutdown, no flush — what a crash or a power cut looks like to the process.
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }
}

struct FaultError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
