// Lesson 13: the bodies of the tunnel endpoints (docs/PROTOCOL.md, "HTTP tunnel"), shared by the
// server and the client library.

import IMCore

/// The answer to `POST /api/v1/tunnel`.
public struct TunnelOpened: Hashable, Sendable, Codable {
    /// The session id: 128 random bits, hex. Only its user can use it.
    public let session: String
    /// What a WebSocket sends as its first frame.
    public let hello: Hello
    /// The server's limits, so that the client sizes its polls and batches to them.
    public let maxPollWaitSeconds: Int
    public let maxBatch: Int
    public let idleTimeoutSeconds: Int

    public init(session: String, hello: Hello, maxPollWaitSeconds: Int, maxBatch: Int, idleTimeoutSeconds: Int) {
        self.session = session
        self.hello = hello
        self.maxPollWaitSeconds = maxPollWaitSeconds
        self.maxBatch = maxBatch
        self.idleTimeoutSeconds = idleTimeoutSeconds
    }
}

/// The body of `POST /api/v1/tunnel/{session}/up`.
public struct TunnelUpload: Hashable, Sendable, Codable {
    /// The batch's upload number: 1, 2, 3, … per session; a retry repeats it.
    public let seq: UInt64
    /// Client frames, exactly as they would travel on a WebSocket.
    public let frames: [JSONValue]

    public init(seq: UInt64, frames: [JSONValue]) {
        self.seq = seq
        self.frames = frames
    }
}

/// The answer to an upload.
public struct TunnelUploadResult: Hashable, Sendable, Codable {
    /// The upload number answered.
    public let seq: UInt64
    /// False when the batch had been applied before (a retry): nothing was done again.
    public let applied: Bool

    public init(seq: UInt64, applied: Bool) {
        self.seq = seq
        self.applied = applied
    }
}

/// The answer to `GET /api/v1/tunnel/{session}/down?after=N`.
public struct TunnelDownPage: Hashable, Sendable, Codable {
    /// One server frame and its tunnel sequence number.
    public struct Item: Hashable, Sendable, Codable {
        public let seq: UInt64
        public let frame: JSONValue

        public init(seq: UInt64, frame: JSONValue) {
            self.seq = seq
            self.frame = frame
        }
    }

    /// Frames numbered above `after`, oldest first (empty when the wait ran out).
    public let frames: [Item]
    /// Set when the session has ended (replaced, given up, shut down): the reason, as a
    /// WebSocket's close reason. The frames listed are the last; the next poll gets 404.
    public let closed: String?

    public init(frames: [Item], closed: String?) {
        self.frames = frames
        self.closed = closed
    }
}
