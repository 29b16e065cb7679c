// What a run reports: a progress line, a human table, and a JSON file with the machine and figures.

import Foundation
import Histogram

/// Writes a line at once (stdout may be a pipe).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Overwrites the current terminal line (a progress line); plain lines when not a terminal.
func progress(_ line: String) {
    if isatty(STDOUT_FILENO) != 0 {
        FileHandle.standardOutput.write(Data(("\r\u{1B}[2K" + line).utf8))
    } else {
        say(line)
    }
}

func endProgress() {
    if isatty(STDOUT_FILENO) != 0 { FileHandle.standardOutput.write(Data("\n".utf8)) }
}

/// The machine and build a figure was measured on.
struct MachineInfo: Codable {
    var cpuModel: String
    var cpus: Int
    var memoryBytes: UInt64
    var kernel: String
    var build: String

    static var current: MachineInfo {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) }
            ?? "unknown"
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        #if DEBUG
            let build = "debug"
        #else
            let build = "release"
        #endif
        return MachineInfo(
            cpuModel: model, cpus: ProcessInfo.processInfo.activeProcessorCount,
            memoryBytes: ProcessInfo.processInfo.physicalMemory, kernel: "Linux " + release, build: build)
    }
}

/// Latency percentiles in milliseconds.
struct LatencySummary: Codable {
    var count: UInt64
    var p50: Double
    var p90: Double
    var p99: Double
    var p999: Double
    var max: Double
    var mean: Double

    /// From a histogram of microseconds.
    init(_ histogram: Histogram<UInt64>) {
        count = histogram.totalCount
        func ms(_ microseconds: UInt64) -> Double { Double(microseconds) / 1000 }
        p50 = ms(histogram.valueAtPercentile(50))
        p90 = ms(histogram.valueAtPercentile(90))
        p99 = ms(histogram.valueAtPercentile(99))
        p999 = ms(histogram.valueAtPercentile(99.9))
        max = ms(histogram.max)
        mean = histogram.mean / 1000
    }

    var line: String {
        String(format: "p50 %.2f ms · p90 %.2f ms · p99 %.2f ms · p99.9 %.2f ms · max %.2f ms", p50, p90, p99, p999, max)
    }
}

/// The workers' counts summed and their latency histograms merged.
func collect(_ group: inout ThrowingTaskGroup<(Int, Histogram<UInt64>), any Error>) async throws -> (Int, Histogram<UInt64>) {
    var total = 0
    var merged = Histogram<UInt64>(highestTrackableValue: 120_000_000)
    for try await (count, histogram) in group {
        total += count
        merged.add(histogram)
    }
    return (total, merged)
}

/// One result file.
struct BenchResult<Parameters: Codable, Figures: Codable>: Codable {
    var tool = "im-bench"
    var scenario: String
    var command: String
    var date: String
    var machine: MachineInfo
    var parameters: Parameters
    var results: Figures

    init(scenario: String, parameters: Parameters, results: Figures) {
        self.scenario = scenario
        command = CommandLine.arguments.joined(separator: " ")
        date = ISO8601DateFormatter().string(from: Date())
        machine = .current
        self.parameters = parameters
        self.results = results
    }

    func write(to path: String?) throws {
        guard let path else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
        say("result written to \(path)")
    }
}

func megabytes(_ bytes: Int?) -> String {
    bytes.map { String(format: "%.1f MB", Double($0) / 1_048_576) } ?? "unknown"
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Raises the soft limit of open files to the hard limit (idle-connection runs need many).
func raiseFileLimit() -> Int {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    limit.rlim_cur = limit.rlim_max
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    return Int(limit.rlim_cur)
}

/// The size of the file at `path` in bytes; 0 when it does not exist.
func fileSize(atPath path: String) -> Int {
    // FileManager rather than stat(2): on Linux the `stat` struct's fields are attributed to the
    // CDispatch module, which MemberImportVisibility would have us import by that odd name.
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
}
