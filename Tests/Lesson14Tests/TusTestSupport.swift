// Lesson 14 tests: a raw tus client over real HTTP, headers and all, as a wire test should speak.

import AsyncHTTPClient
import Crypto
import Foundation
import IMClient
import IMServer
import IMTestSupport
import IMUpload
import NIOCore
import NIOHTTP1
import Testing

/// One answer: status, headers (names in lower case) and body.
struct TusResponse: Sendable {
    let status: Int
    let headers: [String: String]
    let body: [UInt8]

    subscript(_ name: String) -> String? { headers[name.lowercased()] }
    var text: String { String(decoding: body, as: UTF8.self) }
    var offset: Int64? { self["Upload-Offset"].flatMap { Int64($0) } }
    var errorCode: String? {
        (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: [String: String]])?["error"]?["code"]
    }
}

/// Speaks tus to one server as one user.
struct TusRawClient: Sendable {
    let baseURL: String
    let token: String?

    init(server: TestServer, user: TestUser?) {
        baseURL = server.baseURL
        token = user?.credentials.token
    }

    func send(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil, tus: Bool = true
    ) async throws -> TusResponse {
        var request = HTTPClientRequest(url: path.hasPrefix("http") ? path : baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if tus { request.headers.add(name: "Tus-Resumable", value: "1.0.0") }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        var fields: [String: String] = [:]
        for header in response.headers { fields[header.name.lowercased()] = header.value }
        return TusResponse(status: Int(response.status.code), headers: fields, body: Array(bytes.readableBytesView))
    }

    /// POST /api/v1/uploads with `Upload-Length` and `metadata`; returns the answer.
    func create(length: Int64?, metadata: [String: String] = [:], extra: [(String, String)] = []) async throws
        -> TusResponse
    {
        var headers = extra
        if let length { headers.append(("Upload-Length", String(length))) }
        if !metadata.isEmpty {
            headers.append(
                (
                    "Upload-Metadata",
                    metadata.map { "\($0.key) \(Data($0.value.utf8).base64EncodedString())" }.joined(separator: ",")
                ))
        }
        return try await send(.POST, "/api/v1/uploads", headers: headers)
    }

    /// Creates an upload and returns its path (the `Location`).
    func createPath(length: Int64, metadata: [String: String] = [:], concat: String? = nil) async throws -> String {
        let response = try await create(length: length, metadata: metadata, extra: concat.map { [("Upload-Concat", $0)] } ?? [])
        #expect(response.status == 201, "creating an upload answers 201; got \(response.status) \(response.text)")
        return try #require(response["Location"], "a created upload has a Location")
    }

    func patch(_ path: String, offset: Int64, _ bytes: [UInt8], checksum: String? = nil) async throws -> TusResponse {
        var headers = [("Upload-Offset", String(offset)), ("Content-Type", "application/offset+octet-stream")]
        if let checksum { headers.append(("Upload-Checksum", checksum)) }
        return try await send(.PATCH, path, headers: headers, body: bytes)
    }

    func head(_ path: String) async throws -> TusResponse { try await send(.HEAD, path) }

    /// Sends `bytes` in chunks of `chunk` bytes, each with a SHA-256 checksum; returns the last answer.
    func upload(_ path: String, _ bytes: [UInt8], chunk: Int, from start: Int = 0) async throws -> TusResponse {
        var offset = start
        var last: TusResponse?
        while offset < bytes.count {
            let piece = Array(bytes[offset..<min(bytes.count, offset + chunk)])
            let response = try await patch(path, offset: Int64(offset), piece, checksum: Tus.sha256Checksum(piece))
            guard response.status == 204 else { return response }
            offset += piece.count
            last = response
        }
        return try #require(last, "at least one chunk was sent")
    }
}

enum Tus {
    static func sha256Checksum(_ bytes: [UInt8]) -> String {
        "sha256 " + Data(SHA256.hash(data: bytes)).base64EncodedString()
    }

    static func sha1Checksum(_ bytes: [UInt8]) -> String {
        "sha1 " + Data(Insecure.SHA1.hash(data: bytes)).base64EncodedString()
    }

    static func hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Deterministic bytes that differ from one test to the next.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }
}

extension TestServer {
    /// The composed server's upload extension.
    var uploads: ResumableUploads {
        get throws {
            try #require(server.extensions.compactMap { $0 as? ResumableUploads }.first, "the composition lists ResumableUploads")
        }
    }
}
