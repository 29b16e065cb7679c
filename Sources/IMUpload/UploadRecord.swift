// LESSON 14 STARTER, generated from Solutions/IMUpload/UploadRecord.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 14: one upload and the rules of a PATCH — the pure state machine of tus's core.
//
// An upload is a byte counter that only grows. A PATCH says "these bytes start at offset N";
// the server takes them only when N is exactly where it stands (`admit`, exercise 14.1), reads
// them, and then decides what to keep (`settle`, exercise 14.3): all of them, none (a wrong
// checksum, too many bytes), or, for a connection that was cut, what arrived. Only then does the
// offset move. No clock, no I/O here: the routes give the time and the byte counts.

import CourseSupport
import Foundation
import IMCore

/// One upload, as the registry keeps it (and writes it to `info/<id>.json`).
public struct UploadRecord: Codable, Sendable, Equatable {
    /// tus concatenation: a normal upload, a part to be joined, or the joined result.
    public enum Kind: String, Codable, Sendable {
        case single, partial, final
    }

    public let id: String
    public let owner: UserID
    /// The declared length (`Upload-Length`); a final upload's is the sum of its parts.
    public let length: Int64
    /// Bytes stored so far.
    public var offset: Int64
    public let kind: Kind
    /// A final upload's parts, in order.
    public let parts: [String]
    /// `Upload-Metadata`, decoded (filename, filetype, sha256 …).
    public let metadata: [String: String]
    public let created: Date
    /// When an unfinished upload may be swept; moved forward by every PATCH that stores bytes.
    public var expires: Date
    /// The content's SHA-256 in hex, once finished (single and final uploads).
    public var sha256: String?
    /// The conversations a media message sent this upload to: their members may read it.
    public var conversations: [ConversationID]?

    public init(
        id: String, owner: UserID, length: Int64, offset: Int64 = 0, kind: Kind = .single, parts: [String] = [],
        metadata: [String: String] = [:], created: Date, expires: Date, sha256: String? = nil
    ) {
        self.id = id
        self.owner = owner
        self.length = length
        self.offset = offset
        self.kind = kind
        self.parts = parts
        self.metadata = metadata
        self.created = created
        self.expires = expires
        self.sha256 = sha256
    }

    /// Every declared byte is stored.
    public var isFinished: Bool { offset == length }

    /// The SHA-256 the client offered at creation (hex, lower case), for instant upload.
    public var offeredSHA256: String? { metadata["sha256"]?.lowercased() }

    /// An unfinished upload past its expiry. A finished one never expires: messages refer to it.
    public func isExpired(at now: Date) -> Bool { !isFinished && now >= expires }
}

/// What a PATCH request says before its body is read.
public struct PatchRequest: Sendable, Equatable {
    /// `Upload-Offset`: where the client believes the upload stands.
    public var offset: Int64
    /// `Content-Length`, when the client sent one (nil for a chunked body).
    public var contentLength: Int64?

    public init(offset: Int64, contentLength: Int64?) {
        self.offset = offset
        self.contentLength = contentLength
    }
}

/// How a PATCH body ended.
public struct ReceivedChunk: Sendable, Equatable {
    /// Bytes read from the body (and written after the old offset).
    public var bytes: Int64
    /// The body ended normally; false when the connection was cut mid-chunk.
    public var complete: Bool
    /// The body went past the declared length (reading stopped there).
    public var overflowed: Bool
    /// nil without `Upload-Checksum`; otherwise whether the bytes matched it.
    public var checksumMatches: Bool?

    public init(bytes: Int64, complete: Bool, overflowed: Bool = false, checksumMatches: Bool? = nil) {
        self.bytes = bytes
        self.complete = complete
        self.overflowed = overflowed
        self.checksumMatches = checksumMatches
    }
}

/// What to do with the bytes a PATCH wrote.
public enum Settlement: Sendable, Equatable {
    /// Keep them: the offset becomes `newOffset`.
    case commit(newOffset: Int64)
    /// Throw them away (truncate back to the old offset) and answer with the error.
    case discard(UploadError)
}

extension UploadRecord {
    /// Checks a PATCH before its body is read. Returns the most bytes the body may carry.
    ///
    /// In this order: a final upload takes no PATCH (403); an expired one is gone (410); the
    /// offset must be exactly the stored one (409); a `Content-Length` must not reach past the
    /// declared length (413).
    public func admit(_ patch: PatchRequest, now: Date) throws(UploadError) -> Int64 {
        // BEGIN EXERCISE 14.1: Refuse a PATCH to a final upload (403), an expired one (410), at another offset (409), or longer than what is left (413); return the bytes left.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 14
        throw UploadError(.internal, Exercise.notImplemented("14.1", expected: "403 for a final upload, 410 when expired, 409 for another offset, 413 past the length, else length - offset").description)
        // END EXERCISE 14.1
    }

    /// Decides what a PATCH keeps once its body has been read (or cut).
    public func settle(_ chunk: ReceivedChunk) -> Settlement {
        // BEGIN EXERCISE 14.3: Discard an overflowing body (413), a checksummed chunk that was cut (400) or does not match (460); otherwise commit offset + bytes.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 14
        _ = Exercise.notImplemented("14.3", expected: "413 for an overflow, 400 for a cut checksummed chunk, 460 for a mismatch, else commit offset + bytes")
        return .commit(newOffset: offset)
        // END EXERCISE 14.3
    }
}
