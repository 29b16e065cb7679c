// LESSON 14 STARTER, generated from Solutions/IMUpload/MediaMessage.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 14: a media message — a chat message that refers to a finished upload.
//
// The message model of lesson 01 has a text body and nothing else, and this lesson does not
// change it: a media message's body is a small JSON object, `{"media": {...}}`, naming the
// upload with its kind, type, size and SHA-256. The bytes stay in the upload store; the message
// only refers to them, so a forwarded photo is one more message, not one more copy.

import IMCore

/// What a media message shows: an image, a voice or audio clip, a video, or any file.
public enum MediaKind: String, Codable, Sendable, CaseIterable {
    case image, audio, video, file
}

/// The reference a media message carries in its body.
public struct MediaReference: Codable, Sendable, Equatable {
    /// The upload's id; read the bytes with `GET /api/v1/media/{upload}`.
    public let upload: String
    public let kind: MediaKind
    /// The MIME type the uploader declared (`filetype` metadata), or `application/octet-stream`.
    public let type: String
    public let size: Int64
    public let sha256: String
    /// The file name the uploader declared (`filename` metadata), if any.
    public let name: String?

    public init(upload: String, kind: MediaKind, type: String, size: Int64, sha256: String, name: String?) {
        self.upload = upload
        self.kind = kind
        self.type = type
        self.size = size
        self.sha256 = sha256
        self.name = name
    }
}

/// The body of a media message, as JSON text: `{"media": {...}}`.
public struct MediaBody: Codable, Sendable, Equatable {
    public let media: MediaReference

    public init(media: MediaReference) { self.media = media }
}

/// `POST /api/v1/uploads/{id}/message`: send the finished upload to `to`.
public struct MediaSendRequest: Codable, Sendable {
    public let to: UserID
    public let kind: MediaKind
    public let clientMsgID: String?

    public init(to: UserID, kind: MediaKind, clientMsgID: String? = nil) {
        self.to = to
        self.kind = kind
        self.clientMsgID = clientMsgID
    }
}
