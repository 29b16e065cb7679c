// Lesson 14 tests, part 5: an independent tus client, tuspy from PyPI, drives the server —
// chunks with checksums, a connection cut mid-chunk and resumed, instant upload.
//
// Needs python3 with tuspy (`pip install tuspy`). Without them the test is skipped locally and
// says why; in CI (CI=true) it runs and fails instead, so a missing client is never silent.

import Foundation
import IMClient
import IMTestSupport
import IMUpload
import Testing

enum Tuspy {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("tuspy_client.py")

    /// Whether `python3 -c "import tusclient"` succeeds.
    static let available: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import tusclient, requests"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        } catch {
            return false
        }
    }()

    static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Runs the script; returns its exit status and output, or nil when it did not end in `timeout`.
    static func run(arguments: [String], timeout: Duration) async throws -> (status: Int32, output: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let ended = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in ended.continuation.finish() }
        try process.run()
        let reader = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
        let finished = await withTaskGroup(of: Bool.self) { race in
            race.addTask {
                for await _ in ended.stream {}
                return true
            }
            race.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await race.next() ?? false
            race.cancelAll()
            return first
        }
        if !finished {
            process.terminate()
            return nil
        }
        let text = String(decoding: await reader.value, as: UTF8.self)
        return (process.terminationStatus, text)
    }
}

@Suite("14 tuspy, an independent tus client", .serialized)
struct TuspyTests {
    @Test(
        "tuspy uploads in 256 KB chunks with checksums, resumes after a cut mid-chunk, and finds known content done (14.1, 14.2, 14.3)",
        .enabled(if: Tuspy.available || Tuspy.inCI, "python3 with tuspy is missing: pip install tuspy (in CI this fails)"))
    func tuspyDrivesTheServer() async throws {
        try #require(Tuspy.available, "CI=true but python3 cannot import tusclient: .ci/run must `pip install tuspy`")
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let chunk = ChunkPolicy.chunkSize(for: .cellular3G)
            let result = try await Tuspy.run(
                arguments: [server.baseURL, alice.credentials.token, String(chunk)], timeout: .seconds(90))
            guard let result else {
                Issue.record("the tuspy script did not finish within 90 s")
                return
            }
            #expect(
                result.status == 0,
                "Exercises 14.1, 14.2, 14.3: the tuspy client's run failed (exit \(result.status)):\n\(result.output)")
            #expect(result.output.contains("instant upload by SHA-256: ok"), "every step ran:\n\(result.output)")
        }
    }
}
