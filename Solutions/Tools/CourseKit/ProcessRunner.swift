import Foundation

/// What a subprocess did.
public struct ProcessResult: Sendable {
    public let exitCode: Int32
    /// Standard output and standard error, interleaved as they came.
    public let output: String
    public let seconds: Double

    public var succeeded: Bool { exitCode == 0 }
}

/// Runs a command found on the PATH (through `/usr/bin/env`), streaming its output to ours while
/// keeping a copy to search (for exercise ids in failures).
public struct ProcessRunner: Sendable {
    /// Whether to copy the output to our standard output as it comes.
    public var echo: Bool

    public init(echo: Bool = true) {
        self.echo = echo
    }

    public func run(
        _ arguments: [String], in directory: URL, environment: [String: String] = [:]
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice

        let started = Date()
        do {
            try process.run()
        } catch {
            throw CourseError.processFailed(command: arguments.joined(separator: " "), reason: error.localizedDescription)
        }
        let forwarder = SignalForwarder(processID: process.processIdentifier)
        defer { forwarder.cancel() }
        var captured = Data()
        let reader = pipe.fileHandleForReading
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            captured.append(chunk)
            if echo { FileHandle.standardOutput.write(chunk) }
        }
        process.waitUntilExit()
        if let signal = forwarder.received {
            throw CourseError.interrupted(command: arguments.joined(separator: " "), signal: signal)
        }
        let code = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return ProcessResult(
            exitCode: code, output: String(decoding: captured, as: UTF8.self),
            seconds: Date().timeIntervalSince(started))
    }

    /// Extra arguments for every `swift build`/`swift test` the tool runs, from `COURSE_SWIFT_FLAGS`
    /// (e.g. `--scratch-path .build-ci`), split on spaces.
    public static var extraSwiftFlags: [String] {
        (ProcessInfo.processInfo.environment["COURSE_SWIFT_FLAGS"] ?? "")
            .split(whereSeparator: { $0 == " " }).map(String.init)
    }

    /// `swift <subcommand> <extra flags> <arguments>`.
    public static func swift(_ subcommand: String, _ arguments: [String]) -> [String] {
        ["swift", subcommand] + extraSwiftFlags + arguments
    }
}
