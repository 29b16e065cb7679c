// Lesson 01 tests: the frame codec (exercise 01.1).

import CourseSupport
import IMCore
import Testing

@Suite("01.1 Frame codec")
struct FrameCodecTests {
    let codec = FrameCodec(maxFrameBytes: 1024)

    func decode(_ text: String) throws -> ClientFrame { try codec.decodeClientFrame(Array(text.utf8)) }

    /// Expects `text` to be refused with `code`; the failure message names the exercise.
    func expectRefused(_ text: String, with code: ErrorCode, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let frame = try decode(text)
            Issue.record(
                "Exercise 01.1: expected \(code.rawValue) for \(text.prefix(80)), got \(frame)", sourceLocation: sourceLocation)
        } catch let error as IMError {
            #expect(
                error.code == code, "Exercise 01.1: expected \(code.rawValue) for \(text.prefix(80)), got \(error)",
                sourceLocation: sourceLocation)
        } catch {
            Issue.record("Exercise 01.1: expected IMError \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("decodes send, read and ping")
    func decodesEveryClientFrame() throws {
        let send = try decode(#"{"v":1,"type":"send","id":"r1","data":{"to":7,"body":"hi","clientMsgID":"c1"}}"#)
        #expect(send == .send(id: "r1", SendRequest(to: UserID(7), body: "hi", clientMsgID: "c1")), "Exercise 01.1: send frame")
        let read = try decode(#"{"v":1,"type":"read","id":"r2","data":{"conversationID":"d:1:7"}}"#)
        #expect(read == .read(id: "r2", .direct(UserID(1), UserID(7))), "Exercise 01.1: read frame")
        let ping = try decode(#"{"v":1,"type":"ping"}"#)
        #expect(ping == .ping(id: nil), "Exercise 01.1: ping frame without id")
    }

    @Test("refuses what is not a frame")
    func refusesMalformedFrames() {
        expectRefused("not json", with: .badFrame)
        expectRefused("[1,2,3]", with: .badFrame)
        expectRefused(#"{"type":"ping"}"#, with: .badFrame)
        expectRefused(#"{"v":"1","type":"ping"}"#, with: .badFrame)
        expectRefused(#"{"v":1}"#, with: .badFrame)
        expectRefused(#"{"v":1,"type":"send","id":"r1"}"#, with: .badFrame)
        expectRefused(#"{"v":1,"type":"send","data":{"to":"seven","body":"hi"}}"#, with: .badFrame)
    }

    @Test("a malformed conversation id is invalid_argument, as over HTTP")
    func malformedConversationIDIsAnInvalidArgument() {
        expectRefused(#"{"v":1,"type":"read","id":"r3","data":{"conversationID":"d:9:2"}}"#, with: .invalidArgument)
        expectRefused(#"{"v":1,"type":"read","data":{"conversationID":"d:09:12"}}"#, with: .invalidArgument)
        expectRefused(#"{"v":1,"type":"read","data":{"conversationID":7}}"#, with: .badFrame)
    }

    @Test("refuses other versions, unknown types and oversized frames")
    func refusesVersionTypeAndSize() {
        expectRefused(#"{"v":2,"type":"ping"}"#, with: .unsupportedVersion)
        expectRefused(#"{"v":1,"type":"teleport","data":{}}"#, with: .unknownType)
        let big = #"{"v":1,"type":"send","data":{"to":2,"body":""# + String(repeating: "x", count: 2000) + #""}}"#
        expectRefused(big, with: .frameTooLarge)
    }

    @Test("a bad payload does not hide a wrong version or an unknown type")
    func versionAndTypeAreCheckedBeforeThePayload() {
        // The frame is parsed in one pass, payload included; its errors must still come in the
        // documented order: version, then type, then payload.
        expectRefused(#"{"v":2,"type":"send","data":{"to":"seven"}}"#, with: .unsupportedVersion)
        expectRefused(#"{"v":1,"type":"teleport","data":{"to":"seven"}}"#, with: .unknownType)
        expectRefused(#"{"v":1,"type":"send","data":null}"#, with: .badFrame)
        expectRefused(#"{"v":1,"type":"pushAck","data":{"pushID":-1}}"#, with: .badFrame)
    }

    @Test("server frames survive a round trip")
    func serverFramesRoundTrip() throws {
        let message = Message(
            id: MessageID(5), conversationID: .direct(UserID(1), UserID(2)), from: UserID(1), to: UserID(2),
            clientMsgID: "c", body: "héllo \"quoted\" 🌏", sentAt: 1_700_000_000_000)
        let frames: [ServerFrame] = [
            .hello(
                Hello(
                    user: User(id: UserID(1), username: "a", displayName: "A"), deviceID: DeviceID(rawValue: "d1")!,
                    cursor: MessageID(4))),
            .ack(ref: "r1", message),
            .read(ref: "r2", ReadReceipt(conversationID: message.conversationID, unread: 0, totalUnread: 3)),
            .pong(ref: "r3"), .error(ref: nil, IMError(.badFrame, "nope")),
            .extension(type: "room.batch", ref: nil, data: .object(["comments": .array([.string("hi"), .integer(7)])])),
            .extension(type: "group.left", ref: "r4", data: nil),
        ]
        for frame in frames {
            let text = codec.encode(frame)
            #expect(text.contains(#""v":1"#))
            #expect(try codec.decodeServerFrame(Array(text.utf8)) == frame)
        }
    }

    @Test("a dotted type is a later lesson's frame: read as ExtensionFrame with its id and raw data")
    func dottedTypesAreExtensionFrames() throws {
        let frame = try codec.decodeClientFrame(Array(#"{"v":1,"type":"room.post","id":"p1","data":{"text":"hi","n":3}}"#.utf8))
        let expected = ExtensionFrame(
            type: "room.post", id: "p1", data: .object(["text": .string("hi"), "n": .integer(3)]))
        #expect(frame == .extension(expected), "the codec keeps an extension's payload for it to read")
        #expect(frame.requestID == "p1", "an extension frame is answered with its id as ref")
        struct Post: Decodable { let text: String }
        #expect(try expected.payload(Post.self).text == "hi")
        #expect(throws: IMError.self, "a payload that does not fit is bad_frame") {
            try ExtensionFrame(type: "room.post", id: nil, data: .object(["text": .integer(1)])).payload(Post.self)
        }
        let bare = try codec.decodeClientFrame(Array(#"{"v":1,"type":"room.leave"}"#.utf8))
        #expect(bare == .extension(ExtensionFrame(type: "room.leave", id: nil, data: nil)))
        #expect(codec.encode(ClientFrame.extension(expected)).contains(#""type":"room.post""#))
        for notDotted in [".post", "room.", "ro om.post", "room.pöst", String(repeating: "r", count: 64) + ".x"] {
            expectRefused(#"{"v":1,"type":""# + notDotted + #""}"#, with: .unknownType)
        }
        expectRefused(#"{"v":2,"type":"room.post","data":{}}"#, with: .unsupportedVersion)
    }
}
