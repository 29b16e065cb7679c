// LESSON 14 STARTER, generated from Solutions/IMUpload/UploadRoutes.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 14: the tus handlers — headers in, a PATCH's bytes streamed to storage, headers out.

import Foundation
import HTTPTypes
import Hummingbird
import IMCore
import IMGateway
import NIOCore

/// The tus header names used here.
extension HTTPField.Name {
    static let tusResumable = Self("Tus-Resumable")!
    static let tusVersion = Self("Tus-Version")!
    static let tusExtension = Self("Tus-Extension")!
    static let tusMaxSize = Self("Tus-Max-Size")!
    static let tusChecksumAlgorithm = Self("Tus-Checksum-Algorithm")!
    static let uploadOffset = Self("Upload-Offset")!
    static let uploadLength = Self("Upload-Length")!
    static let uploadMetadata = Self("Upload-Metadata")!
    static let uploadExpires = Self("Upload-Expires")!
    static let uploadChecksum = Self("Upload-Checksum")!
    static let uploadConcat = Self("Upload-Concat")!
    /// Ours: the finished content's SHA-256 in hex, for the media message that refers to it.
    static let contentSHA256 = Self("Upload-Content-SHA256")!
}

/// The handlers, with the service they work on.
struct UploadRoutes: Sendable {
    let uploads: ResumableUploads
    var registry: UploadRegistry { uploads.registry }
    var storage: any UploadStorage { uploads.storage }
    var configuration: UploadConfiguration { uploads.configuration }

    static let version = "1.0.0"
    static let extensions = "creation,creation-with-upload,checksum,expiration,termination,concatenation"
    static let offsetContentType = "application/offset+octet-stream"

    // MARK: Routes

    func options() -> Response {
        var headers = Self.tusHeaders()
        headers[.tusVersion] = Self.version
        headers[.tusExtension] = Self.extensions
        headers[.tusMaxSize] = String(configuration.maxSize)
        headers[.tusChecksumAlgorithm] = UploadChecksum.Algorithm.allCases.map(\.rawValue).joined(separator: ",")
        return Response(status: .noContent, headers: headers)
    }

    func create(_ request: Request, _ context: IMRequestContext) async throws -> Response {
        let owner = try Self.owner(context)
        try Self.checkVersion(request)
        let metadata = try Self.metadata(request.headers[.uploadMetadata])
        let now = Date()
        let concat = request.headers[.uploadConcat]
        if let concat, concat.hasPrefix("final;") {
            return try await createFinal(concat, owner: owner, metadata: metadata, now: now)
        }
        guard let text = request.headers[.uploadLength], let length = Int64(text), length >= 0 else {
            throw UploadError(.badRequest, "Upload-Length must be a whole number ≥ 0 (deferred lengths are not supported)")
        }
        guard length <= configuration.maxSize else {
            throw UploadError(.tooLarge, "Upload-Length \(length) is over Tus-Max-Size \(configuration.maxSize)")
        }
        let kind: UploadRecord.Kind
        switch concat {
        case nil: kind = .single
        case "partial": kind = .partial
        default: throw UploadError(.badRequest, "Upload-Concat must be `partial` or `final;<urls>`")
        }
        if let offered = metadata["sha256"], !Self.isSHA256Hex(offered) {
            throw UploadError(.badRequest, "the sha256 metadata must be 64 hex digits")
        }
        let id = Self.newID()
        var record = UploadRecord(
            id: id, owner: owner, length: length, kind: kind, metadata: metadata, created: now,
            expires: now + configuration.expiry.timeInterval)

        // Instant upload: content the server already has is not sent again.
        if kind == .single, let offered = record.offeredSHA256, storage.objectSize(offered) == length {
            record.offset = length
            record.sha256 = offered
            try await registry.create(record, quota: configuration.quotaPerUser)
            return created(record)
        }

        try storage.createPartial(id)
        do {
            try await registry.create(record, quota: configuration.quotaPerUser)
        } catch {
            storage.removePartial(id)
            throw error
        }
        // creation-with-upload: the body, if any, is the first chunk.
        if request.headers[.contentType] == Self.offsetContentType {
            try await registry.locked(id) {
                let patch = PatchRequest(offset: 0, contentLength: Self.contentLength(request))
                do {
                    record = try await append(request, to: record, patch: patch, checksum: Self.checksum(request), now: now)
                } catch let error as UploadError where error.code != .internal {
                    // The upload exists; the client learns from Upload-Offset what was kept.
                }
            }
        }
        return created(record)
    }

    func head(_ request: Request, _ context: IMRequestContext) async throws -> Response {
        let owner = try Self.owner(context)
        try Self.checkVersion(request)
        let id = Self.id(context)
        return try await registry.locked(id) {
            let record = try await registry.record(id, of: owner)
            guard !record.isExpired(at: Date()) else { throw UploadError(.gone, "the upload expired") }
            var headers = Self.tusHeaders()
            headers[.uploadOffset] = String(record.offset)
            headers[.uploadLength] = String(record.length)
            headers[.cacheControl] = "no-store"
            if !record.metadata.isEmpty { headers[.uploadMetadata] = Self.encode(record.metadata) }
            if !record.isFinished { headers[.uploadExpires] = Self.httpDate(record.expires) }
            switch record.kind {
            case .single: break
            case .partial: headers[.uploadConcat] = "partial"
            case .final: headers[.uploadConcat] = "final;" + record.parts.map { "/api/v1/uploads/\($0)" }.joined(separator: " ")
            }
            if let sha256 = record.sha256 { headers[.contentSHA256] = sha256 }
            return Response(status: .ok, headers: headers)
        }
    }

    func patch(_ request: Request, _ context: IMRequestContext) async throws -> Response {
        let owner = try Self.owner(context)
        try Self.checkVersion(request)
        guard request.headers[.contentType] == Self.offsetContentType else {
            throw UploadError(.unsupportedMediaType, "a PATCH body must be \(Self.offsetContentType)")
        }
        guard let text = request.headers[.uploadOffset], let offset = Int64(text), offset >= 0 else {
            throw UploadError(.badRequest, "Upload-Offset must be a whole number ≥ 0")
        }
        let checksum = try Self.checksum(request)
        let id = Self.id(context)
        return try await registry.locked(id) {
            let record = try await registry.record(id, of: owner)
            let patch = PatchRequest(offset: offset, contentLength: Self.contentLength(request))
            let updated = try await append(request, to: record, patch: patch, checksum: checksum, now: Date())
            var headers = Self.tusHeaders()
            headers[.uploadOffset] = String(updated.offset)
            if !updated.isFinished { headers[.uploadExpires] = Self.httpDate(updated.expires) }
            if let sha256 = updated.sha256 { headers[.contentSHA256] = sha256 }
            return Response(status: .noContent, headers: headers)
        }
    }

    func terminate(_ request: Request, _ context: IMRequestContext) async throws -> Response {
        let owner = try Self.owner(context)
        try Self.checkVersion(request)
        let id = Self.id(context)
        return try await registry.locked(id) {
            await uploads.remove(try await registry.record(id, of: owner))
            return Response(status: .noContent, headers: Self.tusHeaders())
        }
    }

    // MARK: The PATCH state machine, with I/O

    /// Streams the body after the stored bytes, then keeps or discards it as `settle` says.
    /// Returns the record as stored afterwards. The caller holds the upload's lock.
    func append(
        _ request: Request, to record: UploadRecord, patch: PatchRequest, checksum: UploadChecksum?, now: Date
    ) async throws -> UploadRecord {
        let left = try record.admit(patch, now: now)
        var writer = try storage.appender(record.id, at: record.offset)
        var verifier = checksum?.makeVerifier()
        var received: Int64 = 0
        var complete = true
        var overflowed = false
        var failure: (any Error)?
        do {
            for try await buffer in request.body {
                guard received + Int64(buffer.readableBytes) <= left else {
                    overflowed = true
                    break
                }
                do {
                    try buffer.withUnsafeReadableBytes { try writer.write($0) }
                } catch {
                    failure = error
                    break
                }
                verifier?.update(buffer.readableBytesView)
                received += Int64(buffer.readableBytes)
            }
        } catch {
            complete = false  // the connection was cut mid-chunk
        }
        try? writer.close()
        if let failure {
            try? storage.truncatePartial(record.id, to: record.offset)
            throw failure
        }
        let chunk = ReceivedChunk(
            bytes: received, complete: complete, overflowed: overflowed, checksumMatches: verifier?.matches())
        switch record.settle(chunk) {
        case .discard(let error):
            try storage.truncatePartial(record.id, to: record.offset)
            throw error
        case .commit(let newOffset):
            var updated = record
            updated.offset = newOffset
            if newOffset > record.offset { updated.expires = now + configuration.expiry.timeInterval }
            if updated.isFinished, updated.kind == .single {
                let sha256 = try storage.digestOfPartial(record.id)
                if let offered = record.offeredSHA256, offered != sha256 {
                    try storage.truncatePartial(record.id, to: record.offset)
                    throw UploadError(.checksumMismatch, "the content's SHA-256 is not the one offered at creation")
                }
                try storage.promote(record.id, sha256: sha256)
                updated.sha256 = sha256
            }
            try await registry.update(updated)
            return updated
        }
    }

    /// Concatenation: checks the parts, joins them, stores the result as a finished upload.
    private func createFinal(_ concat: String, owner: UserID, metadata: [String: String], now: Date) async throws
        -> Response
    {
        let parts = concat.dropFirst("final;".count).split(separator: " ").map {
            String($0.split(separator: "/").last ?? "")
        }
        let length = try Concatenation.plan(
            parts: parts, owner: owner, records: await registry.all(), maxSize: configuration.maxSize)
        let id = Self.newID()
        var record = UploadRecord(
            id: id, owner: owner, length: length, kind: .final, parts: parts, metadata: metadata, created: now,
            expires: now)
        // Created empty first, so that the quota is checked before any byte is copied.
        try await registry.create(record, quota: configuration.quotaPerUser)
        do {
            try storage.concatenatePartials(parts, into: id)
            let sha256 = try storage.digestOfPartial(id)
            try storage.promote(id, sha256: sha256)
            record.offset = length
            record.sha256 = sha256
            try await registry.update(record)
        } catch {
            storage.removePartial(id)
            await registry.remove(id)
            throw error
        }
        return created(record)
    }

    // MARK: Helpers

    /// Answers a tus error with its status and the usual `{error: {code, message}}` body.
    func answer(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as UploadError {
            var headers = Self.tusHeaders()
            headers[.contentType] = "application/json; charset=utf-8"
            if error.code == .preconditionFailed { headers[.tusVersion] = Self.version }
            // Sorted keys: the same error gives the same bytes, so answers cannot be told apart.
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let json = try encoder.encode(["error": ["code": error.code.rawValue, "message": error.message]])
            return Response(
                status: HTTPResponse.Status(code: error.status), headers: headers,
                body: .init(byteBuffer: ByteBuffer(bytes: json)))
        }
    }

    private func created(_ record: UploadRecord) -> Response {
        var headers = Self.tusHeaders()
        headers[.location] = "/api/v1/uploads/\(record.id)"
        headers[.uploadOffset] = String(record.offset)
        if !record.isFinished { headers[.uploadExpires] = Self.httpDate(record.expires) }
        if let sha256 = record.sha256 { headers[.contentSHA256] = sha256 }
        return Response(status: .created, headers: headers)
    }

    static func tusHeaders() -> HTTPFields {
        var headers = HTTPFields()
        headers[.tusResumable] = version
        return headers
    }

    static func checkVersion(_ request: Request) throws(UploadError) {
        guard request.headers[.tusResumable] == version else {
            throw UploadError(.preconditionFailed, "Tus-Resumable must be \(version)")
        }
    }

    static func owner(_ context: IMRequestContext) throws -> UserID {
        guard let identity = context.identity else { throw IMError.unauthorized }
        return identity.userID
    }

    static func id(_ context: IMRequestContext) -> String { context.parameters.get("id") ?? "" }

    static func contentLength(_ request: Request) -> Int64? {
        request.headers[.contentLength].flatMap { Int64($0) }
    }

    static func checksum(_ request: Request) throws(UploadError) -> UploadChecksum? {
        guard let header = request.headers[.uploadChecksum] else { return nil }
        return try UploadChecksum(header: header)
    }

    /// 128 random bits in hex: unguessable, so an id is no hint of another.
    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }

    static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0 | 0x20) }
    }

    /// `Upload-Metadata`: comma-separated `key base64value` pairs (the value may be absent).
    static func metadata(_ header: String?) throws(UploadError) -> [String: String] {
        guard let header, !header.isEmpty else { return [:] }
        var result: [String: String] = [:]
        for pair in header.split(separator: ",") {
            let fields = pair.trimmingCharacters(in: .whitespaces).split(separator: " ")
            guard let key = fields.first, fields.count <= 2 else {
                throw UploadError(.badRequest, "Upload-Metadata must be `key base64,key base64`")
            }
            if fields.count == 1 {
                result[String(key)] = ""
                continue
            }
            guard let data = Data(base64Encoded: String(fields[1])), let value = String(data: data, encoding: .utf8) else {
                throw UploadError(.badRequest, "the Upload-Metadata value of `\(key)` is not base64 of UTF-8 text")
            }
            result[String(key)] = value
        }
        return result
    }

    static func encode(_ metadata: [String: String]) -> String {
        metadata.sorted { $0.key < $1.key }.map { "\($0.key) \(Data($0.value.utf8).base64EncodedString())" }
            .joined(separator: ",")
    }

    /// RFC 9110's date format, as `Upload-Expires` wants it.
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}

extension Duration {
    /// Seconds as a `TimeInterval`, for `Date` arithmetic.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
