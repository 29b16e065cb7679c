// Lesson 01 tests: the hand-written `ack`, `push`, `send` and `pushAck` frames say what JSONEncoder said, escaped alike.

import Foundation
import IMCore
import Testing

@Suite("01 Hot frames written by hand")
struct HotFrameWriterTests {
    let codec = FrameCodec()

    /// What FrameCodec wrote with JSONEncoder before: the frame's fields in this order, nil ones left out.
    struct Outbound<Payload: Encodable>: Encodable {
        let v: Int
        let type: String
        let id: String?
        let ref: String?
        let data: Payload?
    }
    struct AckData: Encodable { let message: Message }
    struct PushData: Encodable {
        let pushID: UInt64?
        let entry: TimelineEntry
    }

    /// Whether two JSON texts hold the same values. (Not the same bytes: Foundation's JSONEncoder
    /// on Linux writes an object's keys in no fixed order, different from one call to the next.)
    func sameJSON(_ text: String, _ expected: String) throws -> Bool {
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
        let parsedExpected = try JSONSerialization.jsonObject(with: Data(expected.utf8))
        return (parsed as? NSDictionary)?.isEqual(parsedExpected) == true
    }

    /// Expects every string of `message` in `text` escaped exactly as JSONEncoder escapes it.
    func expectStringsEscapedAlike(_ text: String, _ message: Message, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        #expect(text.contains(#""body":"# + (try encoded(message.body))), sourceLocation: sourceLocation)
        if let clientMsgID = message.clientMsgID {
            #expect(text.contains(#""clientMsgID":"# + (try encoded(clientMsgID))), sourceLocation: sourceLocation)
        }
    }

    func encoded(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static let controlCharacters = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar(UInt8($0)) }))
    static let bodies = [
        "hi", #"she said "hi" \ and / left"#, controlCharacters, "\u{7F} DEL", "héllo wörld", "emoji 🌏👩‍👩‍👧",
        "line\u{2028}separator\u{2029}", "\u{FEFF}bom", "日本語のメッセージ", String(repeating: "x", count: 4000),
    ]

    var messages: [Message] {
        Self.bodies.enumerated().flatMap { index, body in
            [
                Message(
                    id: MessageID(Int64(index) + 1), conversationID: .direct(UserID(1), UserID(2)), from: UserID(1),
                    to: UserID(2), clientMsgID: "c\(index) \"q\" \\", body: body, sentAt: 1_700_000_000_000),
                Message(
                    id: MessageID(Int64.max), conversationID: .direct(UserID(3), UserID(3)), from: UserID(3), to: UserID(3),
                    clientMsgID: nil, body: body, sentAt: -1, seq: 10_001, prevSeq: 0),
            ]
        }
    }

    @Test("ack frames: the same JSON as JSONEncoder, escaped alike, keys in the documented order; they decode back")
    func ackFrames() throws {
        for message in messages {
            for ref in [nil, "r1", #"r"\/"#, "réf\n"] {
                let text = codec.encode(ServerFrame.ack(ref: ref, message))
                let expected = try encoded(Outbound(v: 1, type: "ack", id: nil, ref: ref, data: AckData(message: message)))
                #expect(try sameJSON(text, expected), "\(text)\n\(expected)")
                #expect(text.hasPrefix(#"{"v":1,"type":"ack","#))
                try expectStringsEscapedAlike(text, message)
                if let ref { #expect(text.contains(#""ref":"# + (try encoded(ref)))) }
                #expect(try codec.decodeServerFrame(Array(text.utf8)) == .ack(ref: ref, message))
                #expect(HotFrameReader.serverFrame(Array(text.utf8)) == .ack(ref: ref, message))
            }
        }
    }

    @Test("push frames of messages and read marks: the same JSON as JSONEncoder, escaped alike; they decode back")
    func pushFrames() throws {
        var entries = messages.map { TimelineEntry(version: $0.id.rawValue, prevVersion: 0, message: $0) }
        for readSeq in [nil, Int64(17)] {
            entries.append(
                TimelineEntry(
                    version: 119, prevVersion: 118,
                    read: ReadReceipt(
                        conversationID: .direct(UserID(1), UserID(2)), unread: 0, totalUnread: 3, readSeq: readSeq)))
        }
        for entry in entries {
            for pushID in [nil, UInt64(1), UInt64.max] {
                let text = codec.encode(ServerFrame.push(pushID: pushID, entry))
                let expected = try encoded(
                    Outbound(v: 1, type: "push", id: nil, ref: nil, data: PushData(pushID: pushID, entry: entry)))
                #expect(try sameJSON(text, expected), "\(text)\n\(expected)")
                #expect(text.hasPrefix(#"{"v":1,"type":"push","data":{"#))
                if let message = entry.message { try expectStringsEscapedAlike(text, message) }
                #expect(try codec.decodeServerFrame(Array(text.utf8)) == .push(pushID: pushID, entry))
                #expect(HotFrameReader.serverFrame(Array(text.utf8)) == .push(pushID: pushID, entry))
            }
        }
    }

    struct SendData: Encodable {
        let to: UserID
        let body: String
        let clientMsgID: String?
        let from: UserID?
    }
    struct PushAckData: Encodable { let pushID: UInt64 }

    @Test("send and pushAck frames (the client's): the same JSON as JSONEncoder, escaped alike; they decode back")
    func clientFrames() throws {
        for (index, body) in Self.bodies.enumerated() {
            for (id, clientMsgID, from) in [(nil, nil, nil), ("s\(index) \"q\"", body, UserID(Int64.min)), ("s", "c", UserID(9))]
            {
                let request = SendRequest(to: UserID(Int64(index) - 3), body: body, clientMsgID: clientMsgID, from: from)
                let text = codec.encode(ClientFrame.send(id: id, request))
                let expected = try encoded(
                    Outbound(
                        v: 1, type: "send", id: id, ref: nil,
                        data: SendData(to: request.to, body: body, clientMsgID: clientMsgID, from: from)))
                #expect(try sameJSON(text, expected), "\(text)\n\(expected)")
                #expect(text.contains(#""body":"# + (try encoded(body))))
                if let id { #expect(text.contains(#""id":"# + (try encoded(id)))) }
                #expect(try codec.decodeClientFrame(Array(text.utf8)) == .send(id: id, request))
                #expect(HotFrameReader.clientFrame(Array(text.utf8)) == .send(id: id, request))
            }
        }
        for pushID: UInt64 in [0, 7, UInt64.max] {
            let text = codec.encode(ClientFrame.pushAck(pushID: pushID))
            let expected = try encoded(Outbound(v: 1, type: "pushAck", id: nil, ref: nil, data: PushAckData(pushID: pushID)))
            #expect(try sameJSON(text, expected), "\(text)\n\(expected)")
            #expect(try codec.decodeClientFrame(Array(text.utf8)) == .pushAck(pushID: pushID))
        }
    }
}
