// Lesson 19 tests: the OTLP/HTTP receiver (otlp_receiver.py, Python with opentelemetry-proto),
// started by the test on a free loopback port and stopped after it.

import Foundation
import IMClient
import IMObservability
import Testing

/// A running receiver and the spans it was sent.
final class OTLPReceiver: Sendable {
    let port: Int
    private let process: Process
    private let input: Pipe

    var endpoint: String { "http://127.0.0.1:\(port)/v1/traces" }

    /// Whether Python with opentelemetry-proto is here. Outside CI a test that needs it is skipped
    /// (it says so); with CI=true it runs and fails, since CI installs it (.ci/run).
    static let isAvailable: Bool = {
        guard let process = try? python(["-c", "import opentelemetry.proto.collector.trace.v1.trace_service_pb2"]) else {
            return false
        }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
    static let isRequired = ProcessInfo.processInfo.environment["CI"] == "true"
    static let skipReason: Comment =
        "needs python3 with opentelemetry-proto (pip install opentelemetry-proto); required when CI=true"

    private init(port: Int, process: Process, input: Pipe) {
        self.port = port
        self.process = process
        self.input = input
    }

    static func start() async throws -> OTLPReceiver {
        guard isAvailable else {
            throw ReceiverError("python3 with opentelemetry-proto is missing: " + skipReason.description)
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("otlp_receiver.py")
        let input = Pipe()
        let output = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", script.path]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line is "PORT <n>"; read it off the event loop of the tests.
        let line = await Task.detached { () -> String in
            var bytes: [UInt8] = []
            while let byte = try? output.fileHandleForReading.read(upToCount: 1)?.first, byte != 10 { bytes.append(byte) }
            return String(decoding: bytes, as: UTF8.self)
        }.value
        guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            process.terminate()
            throw ReceiverError("the OTLP receiver did not start (said \(line.debugDescription))")
        }
        return OTLPReceiver(port: port, process: process, input: input)
    }

    /// Every span received so far.
    func spans() async throws -> [SpanRecord] {
        let response = try await IMHTTPClient(baseURL: "http://127.0.0.1:\(port)").raw("GET", "/spans")
        return try JSONDecoder().decode([SpanRecord].self, from: Data(response.body))
    }

    /// The spans of `traceID`, once one named `name` has arrived (nil after `timeout`).
    func spans(of traceID: String, onceArrived name: String, timeout: Duration = .seconds(15)) async throws -> [SpanRecord]? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let spans = try await spans().filter { $0.traceID == traceID }
            if spans.contains(where: { $0.name == name }) { return spans }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Stops the receiver and waits (without blocking a thread) until it is gone. SIGKILL, not
    /// SIGTERM: a test server's signal handling sets SIGTERM to be ignored in this process, and a
    /// child inherits that, so a terminated receiver lived on and `waitUntilExit` never returned
    /// (it held a thread of the concurrency pool, and with two of them the whole run stalled).
    func stop() async {
        try? input.fileHandleForWriting.close()
        kill(process.processIdentifier, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
    }

    private static func python(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}

struct ReceiverError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
