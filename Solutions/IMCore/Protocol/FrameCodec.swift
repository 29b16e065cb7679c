// Lesson 01: reading and writing frames.
//
// The codec is the gate of the access layer: whatever bytes arrive, it either produces a typed
// frame or a precise `IMError`, so nothing malformed reaches the logic layer.

import CourseSupport
import Foundation

/// Turns bytes into typed frames and back. Pure: no I/O, no shared state.
public struct FrameCodec: Sendable {
    /// Frames larger than this are refused with `frame_too_large`.
    public var maxFrameBytes: Int

    public init(maxFrameBytes: Int = 64 * 1024) {
        self.maxFrameBytes = maxFrameBytes
    }

    // MARK: Server side

    /// Reads one frame sent by a client.
    ///
    /// Throws `IMError` with code `frame_too_large`, `bad_frame` (not JSON, or a required field
    /// missing or of the wrong type), `unsupported_version` or `unknown_type`.
    public func decodeClientFrame(_ bytes: [UInt8]) throws -> ClientFrame {
        // BEGIN EXERCISE 01.1: Check size, JSON shape, version and type, then decode send, read and ping; hand other types to laterLessonFrame.
        guard bytes.count <= maxFrameBytes else {
            throw IMError(.frameTooLarge, "frame of \(bytes.count) bytes exceeds the limit of \(maxFrameBytes)")
        }
        let header: FrameHeader
        do {
            header = try Self.clientFrameDecoder.decode(FrameHeader.self, from: Data(bytes))
        } catch {
            throw IMError.badFrame("frame is not a JSON object with fields v, type, id and data")
        }
        guard let version = header.v else { throw IMError.badFrame("frame has no version field `v`") }
        guard version == protocolVersion else {
            throw IMError(
                .unsupportedVersion, "protocol version \(version) is not supported; this server speaks \(protocolVersion)")
        }
        guard let type = header.type else { throw IMError.badFrame("frame has no `type`") }
        switch type {
        case "send":
            return .send(id: header.id, try payload(SendRequest.self, of: type, in: header))
        case "read":
            let request = try payload(ReadRequest.self, of: type, in: header)
            return .read(id: header.id, request.conversationID, upToSeq: request.upToSeq)
        case "ping":
            return .ping(id: header.id)
        default:
            return try laterLessonFrame(type, header)
        }
        // STUB: throw Exercise.notImplemented("01.1", expected: "a typed ClientFrame, or IMError bad_frame / unsupported_version / unknown_type / frame_too_large")
        // END EXERCISE 01.1
    }

    /// The client frames that later lessons add (`pushAck` in lesson 04, `sync` in lesson 09, and
    /// every dotted type, such as lesson 10's `room.post`, as an `ExtensionFrame`), or
    /// `unknown_type` for any other type. Lesson 01's exercise hands every type it does not know here.
    private func laterLessonFrame(_ type: String, _ header: FrameHeader) throws -> ClientFrame {
        switch type {
        case "pushAck":
            // Either one push (`pushID`) or every push up to a number (`upTo`), never both.
            let ack = try payload(PushAckPayload.self, of: type, in: header)
            switch (ack.pushID, ack.upTo) {
            case (let pushID?, nil): return .pushAck(pushID: pushID)
            case (nil, let upTo?): return .pushAcks(upTo: upTo)
            default: throw IMError.badFrame("`pushAck` needs either `pushID` or `upTo`")
            }
        case "sync": return .sync(id: header.id, try payload(SyncRequest.self, of: type, in: header))
        case _ where ExtensionFrame.isExtensionType(type):
            return .extension(ExtensionFrame(type: type, id: header.id, data: header.extensionData))
        default: throw IMError(.unknownType, "unknown frame type `\(type)`")
        }
    }

    /// Writes one frame for a client.
    public func encode(_ frame: ServerFrame) -> String {
        switch frame {
        case .hello(let hello): Self.encode(type: "hello", ref: nil, data: hello)
        // The two frames of every message are written by hand (HotFrameWriter.swift): the same JSON, faster.
        case .ack(let ref, let message): HotFrameWriter.ack(ref: ref, message)
        case .push(let pushID, let entry): HotFrameWriter.push(pushID: pushID, entry)
        case .sync(let ref, let page): Self.encode(type: "sync", ref: ref, data: page)
        case .read(let ref, let receipt): Self.encode(type: "read", ref: ref, data: receipt)
        case .pong(let ref): Self.encode(type: "pong", ref: ref, data: Empty?.none)
        case .error(let ref, let error): Self.encode(type: "error", ref: ref, data: error)
        case .extension(let type, let ref, let data): Self.encode(type: type, ref: ref, data: data)
        }
    }

    // MARK: Client side

    /// Writes one frame for the server.
    public func encode(_ frame: ClientFrame) -> String {
        switch frame {
        // The two frames of every message are written by hand (HotFrameWriter.swift), as on the server.
        case .send(let id, let request): HotFrameWriter.send(id: id, request)
        case .read(let id, let conversation, let upToSeq):
            Self.encode(type: "read", id: id, data: ReadRequest(conversationID: conversation, upToSeq: upToSeq))
        case .ping(let id): Self.encode(type: "ping", id: id, data: Empty?.none)
        case .pushAck(let pushID): HotFrameWriter.pushAck(field: "pushID", pushID)
        case .pushAcks(let upTo): HotFrameWriter.pushAck(field: "upTo", upTo)
        case .sync(let id, let request): Self.encode(type: "sync", id: id, data: request)
        case .extension(let frame): Self.encode(type: frame.type, id: frame.id, data: frame.data)
        }
    }

    /// Reads one frame sent by the server.
    public func decodeServerFrame(_ bytes: [UInt8]) throws -> ServerFrame {
        let header: FrameHeader
        do {
            header = try Self.serverFrameDecoder.decode(FrameHeader.self, from: Data(bytes))
        } catch {
            throw IMError.badFrame("server frame is not a JSON object")
        }
        guard header.v == protocolVersion else { throw IMError(.unsupportedVersion, "server speaks version \(header.v ?? 0)") }
        let type = header.type ?? ""
        switch type {
        case "hello": return .hello(try payload(Hello.self, of: type, in: header))
        case "ack": return .ack(ref: header.ref, try payload(MessagePayload.self, of: type, in: header).message)
        case "push":
            let push = try payload(PushPayload.self, of: type, in: header)
            return .push(pushID: push.pushID, push.entry)
        case "sync": return .sync(ref: header.ref, try payload(SyncPage.self, of: type, in: header))
        case "read": return .read(ref: header.ref, try payload(ReadReceipt.self, of: type, in: header))
        case "pong": return .pong(ref: header.ref)
        case "error": return .error(ref: header.ref, try payload(IMError.self, of: type, in: header))
        case _ where ExtensionFrame.isExtensionType(type):
            return .extension(type: type, ref: header.ref, data: header.extensionData)
        default: throw IMError(.unknownType, "unknown server frame type `\(type)`")
        }
    }

    /// The payload each frame type carries in `data`, so that a frame is parsed once: the header
    /// and the payload in the same pass. (Parsing twice, header first, cost about a tenth of the
    /// server's CPU under load; see docs/BENCHMARKS.md.)
    static let clientPayloadTypes: [String: any (Decodable & Sendable).Type] = [
        "send": SendRequest.self, "read": ReadRequest.self, "pushAck": PushAckPayload.self, "sync": SyncRequest.self,
    ]
    static let serverPayloadTypes: [String: any (Decodable & Sendable).Type] = [
        "hello": Hello.self, "ack": MessagePayload.self, "push": PushPayload.self,
        "sync": SyncPage.self, "read": ReadReceipt.self, "error": IMError.self,
    ]

    // MARK: Helpers

    /// The payload `FrameHeader` decoded from `data`, or `bad_frame` when it was missing or invalid.
    private func payload<Payload: Decodable>(_: Payload.Type, of type: String, in header: FrameHeader) throws -> Payload {
        switch header.data {
        case .decoded(let data as Payload): return data
        case .missing: throw IMError.badFrame("`\(type)` frame has no `data`")
        case .invalid(let argument):
            throw argument ?? IMError.badFrame("`\(type)` frame has missing or invalid fields in `data`")
        case .decoded, .notRead:
            // The table of payload types and the switch that asks for them disagree: a bug here, not in the frame.
            throw IMError(.internal, "`\(type)` frames are not decoded as \(Payload.self)")
        }
    }

    private static func encode(type: String, id: String? = nil, ref: String? = nil, data: (some Encodable)?) -> String {
        let frame = OutboundFrame(v: protocolVersion, type: type, id: id, ref: ref, data: data)
        // Encoding our own value types cannot fail; a failure here is a programming error.
        guard let bytes = try? encoder.encode(frame) else { preconditionFailure("frame \(type) did not encode") }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let clientFrameDecoder = frameDecoder(payloadTypes: clientPayloadTypes)
    private static let serverFrameDecoder = frameDecoder(payloadTypes: serverPayloadTypes)

    private static func frameDecoder(payloadTypes: [String: any (Decodable & Sendable).Type]) -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.userInfo[FrameHeader.payloadTypesKey] = payloadTypes
        return decoder
    }
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()
}

/// The fields every frame has, and `data` decoded as the payload its `type` carries, in one pass.
///
/// A header field of the wrong type fails the whole decode (the input is not a frame); a bad
/// `data` does not: it is kept as `.invalid`, so that a wrong version or an unknown type is still
/// reported as such.
private struct FrameHeader: Decodable {
    static let payloadTypesKey = CodingUserInfoKey(rawValue: "IMCore.FrameHeader.payloadTypes")!

    enum Payload {
        /// The type has no payload, or is unknown.
        case notRead
        case missing
        /// Not the fields the type needs; an `invalid_argument` when a field was well-formed
        /// but its value is not allowed (a malformed conversation id).
        case invalid(IMError?)
        case decoded(any Decodable)
    }

    let v: Int?
    let type: String?
    let id: String?
    let ref: String?
    let data: Payload

    private enum CodingKeys: String, CodingKey { case v, type, id, ref, data }

    /// The `data` of a later lesson's frame (nil when absent or `null`).
    var extensionData: JSONValue? {
        guard case .decoded(let value as JSONValue) = data, value != .null else { return nil }
        return value
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        v = try container.decodeIfPresent(Int.self, forKey: .v)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        ref = try container.decodeIfPresent(String.self, forKey: .ref)
        let payloadTypes = decoder.userInfo[Self.payloadTypesKey] as? [String: any (Decodable & Sendable).Type] ?? [:]
        // A later lesson's frame keeps its `data` as a JSON value, for its extension to read.
        guard let type, let payloadType = payloadTypes[type] ?? (ExtensionFrame.isExtensionType(type) ? JSONValue.self : nil)
        else {
            data = .notRead
            return
        }
        do {
            data = try Self.decode(payloadType, from: container).map { .decoded($0) } ?? .missing
        } catch let error as IMError where error.code == .invalidArgument {
            data = .invalid(error)
        } catch {
            data = .invalid(nil)
        }
    }

    private static func decode<Payload: Decodable>(_: Payload.Type, from container: KeyedDecodingContainer<CodingKeys>)
        throws -> Payload?
    {
        try container.decodeIfPresent(Payload.self, forKey: .data)
    }
}

private struct OutboundFrame<Payload: Encodable>: Encodable {
    let v: Int
    let type: String
    let id: String?
    let ref: String?
    let data: Payload?
}

private struct Empty: Codable {}

/// The payload of `read` sent by a client.
struct ReadRequest: Codable {
    let conversationID: ConversationID
    var upToSeq: Int64? = nil
}

/// The payload of `pushAck`.
struct PushAckPayload: Codable {
    var pushID: UInt64? = nil
    var upTo: UInt64? = nil
}

/// The payload of `push`.
struct PushPayload: Codable {
    let pushID: UInt64?
    let entry: TimelineEntry
}

/// The payload of `ack` and `message`.
struct MessagePayload: Codable {
    let message: Message
}
