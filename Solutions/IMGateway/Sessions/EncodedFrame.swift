// Lesson 03, the seam of fan-out lessons: one server frame, encoded once, for many connections.
//
// A live room's batch goes to ten thousand viewers, a group message to every online member.
// Encoding the frame once per connection would cost as much CPU as everything else together; so
// a fan-out encodes it once into a buffer and hands the same buffer to every connection. NIO's
// `ByteBuffer` is copy-on-write: writing it to many channels copies no bytes.

import Foundation
import IMCore
import NIOCore

/// The UTF-8 JSON text of one server frame, ready to be written as a WebSocket text frame.
public struct EncodedFrame: Sendable {
    public let bytes: ByteBuffer

    /// Encodes `frame` once.
    public init(_ frame: ServerFrame, codec: FrameCodec = FrameCodec()) {
        bytes = ByteBuffer(string: codec.encode(frame))
    }

    /// A later lesson's frame `{"v":1,"type":type,"ref":ref,"data":payload}`, encoded once
    /// straight from `payload` (no intermediate JSON value).
    public init(type: String, ref: String? = nil, payload: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        bytes = ByteBuffer(bytes: try encoder.encode(Envelope(v: protocolVersion, type: type, ref: ref, data: payload)))
    }

    /// The frame read back (what a test double, which has no socket, passes to `send(_: ServerFrame)`).
    public func decoded(codec: FrameCodec = FrameCodec()) throws -> ServerFrame {
        try codec.readServerFrame(Array(bytes.readableBytesView))
    }

    private struct Envelope<Payload: Encodable>: Encodable {
        let v: Int
        let type: String
        let ref: String?
        let data: Payload
    }
}
