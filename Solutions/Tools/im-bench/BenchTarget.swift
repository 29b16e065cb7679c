// The server under test: started by im-bench, or one that already runs.

import Foundation
import IMClient
import IMToolSupport

/// A server to drive, and how to read its memory.
final class BenchTarget: Sendable {
    let baseURL: String
    let pid: Int32?
    let process: ServerProcess?
    let dataDirectory: String?

    private init(baseURL: String, pid: Int32?, process: ServerProcess?, dataDirectory: String?) {
        self.baseURL = baseURL
        self.pid = pid
        self.process = process
        self.dataDirectory = dataDirectory
    }

    static func make(_ options: TargetOptions, serverArguments: [String] = []) async throws -> BenchTarget {
        if let url = options.url {
            return BenchTarget(baseURL: url, pid: options.serverPID, process: nil, dataDirectory: nil)
        }
        guard FileManager.default.isExecutableFile(atPath: options.serverBinary) else {
            throw BenchError(
                "no im-server at \(options.serverBinary); build it (swift build -c release --product im-server) or pass --url")
        }
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("im-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        // Every bench client comes from loopback: one address, many connections. The started
        // server has no per-address cap, and no send limit or load shedding (lesson 12): the bench
        // measures what the server can do, not what it allows one user (a server given by --url
        // needs the same flags).
        let process = try ServerProcess(
            executable: options.serverBinary, dataDirectory: data,
            arguments: ["--max-connections-per-address", "0", "--send-rate", "0", "--no-shed-load", "--no-address-limits"]
                + (options.syncEveryCommit ? [] : ["--no-sync"])
                + options.serverArguments + serverArguments)
        try await process.start()
        return BenchTarget(baseURL: process.baseURL, pid: process.pid, process: process, dataDirectory: data)
    }

    var port: Int { Int(baseURL.split(separator: ":").last ?? "") ?? 8080 }

    /// The host part of `baseURL` (`http://host:port`).
    var host: String {
        let afterScheme = baseURL.split(separator: "://", maxSplits: 1).last ?? Substring(baseURL)
        return String(afterScheme.split(separator: ":").first ?? "127.0.0.1")
    }

    /// The server's resident memory now, if known.
    var residentBytes: Int? { pid.flatMap { IMToolSupport.residentBytes(ofProcess: $0) } }

    func stop() {
        process?.stop()
        if let dataDirectory { try? FileManager.default.removeItem(atPath: dataDirectory) }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
