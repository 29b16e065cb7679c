// Scenario `upload` (lesson 14): resumable uploads over tus, chunked, on loopback.
//
// `--uploads` clients at once each send `--files` files of `--size-kib` KiB in PATCHes of
// `--chunk-kib` KiB (256, 1024, 2048: the chunk sizes of 3G, 4G and Wi-Fi), each chunk with a
// SHA-256 `Upload-Checksum`. Reports MB/s of payload accepted, and the latency of one chunk.
// Every file is different, so instant upload never short-cuts the run.

import ArgumentParser
import AsyncHTTPClient
import Crypto
import Foundation
import Histogram
import IMClient
import IMCore
import NIOCore
import NIOHTTP1

struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload", abstract: "Chunked tus uploads with checksums: MB/s of payload and chunk latency.")

    @OptionGroup var target: TargetOptions
    @Option(help: "Uploads in flight at once (one user each).")
    var uploads = 4
    @Option(help: "Files each of them sends, one after another.")
    var files = 4
    @Option(name: .customLong("size-kib"), help: "KiB per file.")
    var sizeKiB = 4_096
    @Option(name: .customLong("chunk-kib"), help: "KiB per PATCH (256, 1024 or 2048: 3G, 4G, Wi-Fi).")
    var chunkKiB = 1_024

    struct Parameters: Codable {
        var uploads: Int
        var files: Int
        var sizeKiB: Int
        var chunkKiB: Int
    }

    struct Figures: Codable {
        var bytes: Int
        var seconds: Double
        var megabytesPerSecond: Double
        var chunks: Int
        var chunkLatency: LatencySummary
    }

    func run() async throws {
        guard uploads >= 1, files >= 1, sizeKiB >= 1, chunkKiB >= 1 else {
            throw BenchError("--uploads, --files, --size-kib and --chunk-kib must be at least 1")
        }
        let server = try await BenchTarget.make(target)
        defer { server.stop() }
        say(
            "im-bench upload: \(uploads) at once × \(files) files of \(sizeKiB) KiB in \(chunkKiB) KiB chunks, against \(server.baseURL)"
        )
        let client = IMHTTPClient(baseURL: server.baseURL)
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        var tokens: [String] = []
        for index in 0..<uploads {
            let credentials = try await client.register(
                username: "up\(tag)u\(index)", password: "bench-password", displayName: nil, deviceID: "bench")
            tokens.append(credentials.token)
        }
        let size = sizeKiB * 1024
        let chunk = chunkKiB * 1024
        let baseURL = server.baseURL
        let started = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for token in tokens {
                group.addTask {
                    var measured: [Duration] = []
                    for _ in 0..<files {
                        // Random bytes: no two files alike, so nothing is deduplicated.
                        let bytes = Self.randomBytes(size)
                        measured += try await Self.send(bytes, chunk: chunk, baseURL: baseURL, token: token)
                    }
                    return measured
                }
            }
            var all: [Duration] = []
            for try await part in group { all += part }
            return all
        }
        let elapsed = seconds(ContinuousClock.now - started)
        let total = uploads * files * size
        var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000)
        for latency in latencies { histogram.record(UInt64(max(1, seconds(latency) * 1e6))) }
        let figures = Figures(
            bytes: total, seconds: elapsed, megabytesPerSecond: Double(total) / 1_048_576 / elapsed, chunks: latencies.count,
            chunkLatency: LatencySummary(histogram))
        say(
            String(
                format: "uploaded  %8.1f MB/s  (%d bytes in %.2f s, %d chunks)", figures.megabytesPerSecond, total, elapsed,
                latencies.count))
        say("chunk latency     \(figures.chunkLatency.line)")
        try BenchResult(
            scenario: "upload",
            parameters: Parameters(uploads: uploads, files: files, sizeKiB: sizeKiB, chunkKiB: chunkKiB),
            results: figures
        ).write(to: target.json)
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < count {
                let word = generator.next() as UInt64
                withUnsafeBytes(of: word) { source in
                    for index in 0..<min(8, count - offset) { buffer[offset + index] = source[index] }
                }
                offset += 8
            }
        }
        return bytes
    }

    /// Creates one upload and sends it chunk by chunk; returns each chunk's round trip.
    static func send(_ bytes: [UInt8], chunk: Int, baseURL: String, token: String) async throws -> [Duration] {
        var create = HTTPClientRequest(url: baseURL + "/api/v1/uploads")
        create.method = .POST
        create.headers.add(name: "Authorization", value: "Bearer \(token)")
        create.headers.add(name: "Tus-Resumable", value: "1.0.0")
        create.headers.add(name: "Upload-Length", value: String(bytes.count))
        let created = try await HTTPClient.shared.execute(create, timeout: .seconds(30))
        guard created.status == .created, let location = created.headers.first(name: "Location") else {
            throw BenchError("creating an upload answered \(created.status)")
        }
        var measured: [Duration] = []
        var offset = 0
        while offset < bytes.count {
            let piece = bytes[offset..<min(bytes.count, offset + chunk)]
            var patch = HTTPClientRequest(url: baseURL + location)
            patch.method = .PATCH
            patch.headers.add(name: "Authorization", value: "Bearer \(token)")
            patch.headers.add(name: "Tus-Resumable", value: "1.0.0")
            patch.headers.add(name: "Upload-Offset", value: String(offset))
            patch.headers.add(name: "Content-Type", value: "application/offset+octet-stream")
            patch.headers.add(name: "Upload-Checksum", value: "sha256 " + Data(SHA256.hash(data: piece)).base64EncodedString())
            patch.body = .bytes(ByteBuffer(bytes: piece))
            let sent = ContinuousClock.now
            let answer = try await HTTPClient.shared.execute(patch, timeout: .seconds(60))
            guard answer.status == .noContent else { throw BenchError("a PATCH answered \(answer.status)") }
            measured.append(ContinuousClock.now - sent)
            offset += piece.count
        }
        return measured
    }
}
