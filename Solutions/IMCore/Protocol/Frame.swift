// Lesson 01: the frames that travel over a long connection.
//
// Every frame is `{"v": 1, "type": ..., "id"|"ref": ..., "data": {...}}` (docs/PROTOCOL.md).
// The version lets old and new clients share a server; the type selects the payload.

/// The protocol version this code speaks.
public let protocolVersion = 1

/// A frame a client sends to the server.
public enum ClientFrame: Hashable, Sendable {
    /// Send a one-to-one message.
    case send(id: String?, SendRequest)
    /// Mark a conversation read, up to and including the message numbered `upToSeq` (all when nil).
    case read(id: String?, ConversationID, upToSeq: Int64? = nil)
    /// Check that the connection is alive.
    case ping(id: String?)
    /// The client has the push numbered `pushID` (lesson 04). Not answered.
    case pushAck(pushID: UInt64)
    /// The client has every push numbered up to `upTo` on this connection: one frame acknowledges
    /// a burst of pushes (lesson 20, where one message fans out to many). Not answered.
    case pushAcks(upTo: UInt64)
    /// Ask for the timeline entries after a version (lesson 09).
    case sync(id: String?, SyncRequest)
    /// A frame of a later lesson (`room.post`, `group.send`), answered by the extension that owns it.
    case `extension`(ExtensionFrame)

    /// The client's request id, answered as `ref`.
    public var requestID: String? {
        switch self {
        case .send(let id, _), .read(let id, _, _), .ping(let id), .sync(let id, _): id
        case .extension(let frame): frame.id
        case .pushAck, .pushAcks: nil
        }
    }
}

/// The payload of a `send` frame (and of `POST /api/v1/messages`).
public struct SendRequest: Hashable, Sendable, Codable {
    public let to: UserID
    public let body: String
    public let clientMsgID: String?
    /// Optional; when present it must be the authenticated user.
    public let from: UserID?

    public init(to: UserID, body: String, clientMsgID: String? = nil, from: UserID? = nil) {
        self.to = to
        self.body = body
        self.clientMsgID = clientMsgID
        self.from = from
    }
}

/// A frame the server sends to a client.
public enum ServerFrame: Hashable, Sendable {
    /// The first frame on a new connection.
    case hello(Hello)
    /// A `send` was stored.
    case ack(ref: String?, Message)
    /// A timeline entry pushed to one of the user's devices. A `pushID` (lesson 04) asks for a
    /// `pushAck`; the push is repeated until it comes. Without one it is best effort.
    case push(pushID: UInt64?, TimelineEntry)
    /// The answer to `sync`.
    case sync(ref: String?, SyncPage)
    /// A `read` was done.
    case read(ref: String?, ReadReceipt)
    /// The answer to `ping`.
    case pong(ref: String?)
    /// A request failed, or a frame could not be read.
    case error(ref: String?, IMError)
    /// A frame of a later lesson (`room.batch`, `group.message`): its type, the request it answers
    /// (if any) and its payload. An extension that writes one frame to many connections encodes
    /// it once (`EncodedFrame` in IMGateway).
    case `extension`(type: String, ref: String?, data: JSONValue?)
}

/// The payload of `hello`.
public struct Hello: Hashable, Sendable, Codable {
    public let user: User
    public let deviceID: DeviceID
    /// The newest message id in the user's index: poll from here to catch up.
    public let cursor: MessageID
    /// The newest version of the user's timeline (lesson 09): sync from your last one up to here.
    public let version: Int64?
    /// A fresh session token, when the one used to connect is past half its life (lesson 06).
    public let token: String?

    public init(user: User, deviceID: DeviceID, cursor: MessageID, version: Int64? = nil, token: String? = nil) {
        self.user = user
        self.deviceID = deviceID
        self.cursor = cursor
        self.version = version
        self.token = token
    }
}

/// The result of marking a conversation read.
public struct ReadReceipt: Hashable, Sendable, Codable {
    public let conversationID: ConversationID
    public let unread: Int
    public let totalUnread: Int
    /// The seq the conversation was read up to (nil: everything at the time).
    public let readSeq: Int64?

    public init(conversationID: ConversationID, unread: Int, totalUnread: Int, readSeq: Int64? = nil) {
        self.conversationID = conversationID
        self.unread = unread
        self.totalUnread = totalUnread
        self.readSeq = readSeq
    }
}
