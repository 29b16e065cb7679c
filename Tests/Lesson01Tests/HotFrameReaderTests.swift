// Lesson 01 tests: the hand-read frames (`send`, `pushAck`; `ack`, `push`) give what the codec gives, or nothing.

import IMCore
import IMTestSupport
import Testing

@Suite("01 Hot frames read by hand")
struct HotFrameReaderTests {
    let codec = FrameCodec()

    /// Strings that need every kind of escape, or none.
    static let hostileStrings = [
        "hi", "", "quote \" and backslash \\", "slash / and </script>", "tab\tnewline\nreturn\r",
        "controls \u{0}\u{1}\u{8}\u{C}\u{1B}\u{1F}\u{7F}", "é and e\u{301}", "emoji 😀👩‍👩‍👧", "line sep \u{2028}\u{2029}",
        "中文消息", String(repeating: "long ", count: 500),
    ]

    /// Expects the hand reader to answer for `bytes`, with exactly what the codec answers.
    func expectReadAlike(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        let fast = try #require(
            HotFrameReader.clientFrame(bytes), "the hand reader left \(text.prefix(120)) to the codec",
            sourceLocation: sourceLocation)
        let slow: ClientFrame
        do {
            slow = try codec.decodeClientFrame(bytes)
        } catch {
            Issue.record(
                "exercise 01.1: decodeClientFrame threw \(error) for \(text.prefix(120)), a frame it must read as \(fast)",
                sourceLocation: sourceLocation)
            return
        }
        #expect(
            fast == slow, "exercise 01.1: decodeClientFrame read \(slow), the hand reader \(fast)",
            sourceLocation: sourceLocation)
        if case .send(_, let fastRequest) = fast, case .send(_, let slowRequest) = slow {
            // Strings compare by canonical equivalence; the bytes must be the same too.
            #expect(
                Array(fastRequest.body.utf8) == Array(slowRequest.body.utf8), "exercise 01.1: the body's bytes differ",
                sourceLocation: sourceLocation)
            #expect(
                fastRequest.clientMsgID.map { Array($0.utf8) } == slowRequest.clientMsgID.map { Array($0.utf8) },
                "exercise 01.1: the clientMsgID's bytes differ", sourceLocation: sourceLocation)
        }
    }

    @Test("the frames our clients write are read by hand, with the codec's result")
    func clientFrames() throws {
        for text in Self.hostileStrings {
            let request = SendRequest(to: UserID(42), body: text, clientMsgID: text, from: UserID(7))
            try expectReadAlike(Array(codec.encode(.send(id: text, request)).utf8))
            try expectReadAlike(Array(codec.encode(.send(id: nil, SendRequest(to: UserID(1), body: text))).utf8))
        }
        for pushID: UInt64 in [0, 1, 123_456, UInt64.max] {
            try expectReadAlike(Array(codec.encode(.pushAck(pushID: pushID)).utf8))
            try expectReadAlike(Array(codec.encode(.pushAcks(upTo: pushID)).utf8))
        }
        // The web client (app.js): JSON.stringify({ v: 1, ...frame }).
        try expectReadAlike(Array(#"{"v":1,"type":"send","id":"s17","data":{"to":2,"body":"hé 😀","clientMsgID":"w-1"}}"#.utf8))
        try expectReadAlike(Array(#"{"v":1,"type":"pushAck","data":{"pushID":9}}"#.utf8))
    }

    @Test("other spellings of the same frames are read alike: whitespace, key order, escapes, nulls, extreme ids")
    func otherSpellings() throws {
        let frames = [
            " \t\r\n{ \"data\" : { \"body\" : \"x\" , \"to\" : 3 } , \"type\" : \"send\" , \"v\" : 1 } \n",
            #"{"type":"send","v":1,"id":null,"data":{"to":3,"body":"\u00e9\ud83d\ude00\/\b\f\n\r\t\"\\","clientMsgID":null,"from":null}}"#,
            #"{"v":1,"type":"send","id":"a\u0000b","data":{"from":-9223372036854775808,"to":9223372036854775807,"body":""}}"#,
            #"{"v":1,"type":"send","data":{"to":-5,"body":"negative ids are the chat's business, not the codec's"}}"#,
            #"{"data":{"pushID":18446744073709551615},"type":"pushAck","v":1,"id":"ignored"}"#,
            #"{"v":1,"type":"send","data":{"to":0,"body":"\uD83D\uDE00 upper-case hex"}}"#,
        ]
        for frame in frames { try expectReadAlike(Array(frame.utf8)) }
    }

    /// Frames the hand reader must leave to the codec: valid ones it does not handle, and broken ones.
    static let leftToTheCodec = [
        #"{"v":2,"type":"send","data":{"to":3,"body":"x"}}"#,
        #"{"v":"1","type":"send","data":{"to":3,"body":"x"}}"#,
        #"{"v":1.0,"type":"send","data":{"to":3,"body":"x"}}"#,
        #"{"v":1e0,"type":"send","data":{"to":3,"body":"x"}}"#,
        #"{"v":01,"type":"send","data":{"to":3,"body":"x"}}"#,
        #"{"v":1,"type":"shout","data":{"to":3,"body":"x"}}"#,
        #"{"v":1,"type":"read","id":"r","data":{"conversationID":"1:2"}}"#,
        #"{"v":1,"type":"ping","id":"p"}"#,
        #"{"v":1,"type":"send","data":{"to":"3","body":"x"}}"#,
        #"{"v":1,"type":"send","data":{"to":3.5,"body":"x"}}"#,
        #"{"v":1,"type":"send","data":{"to":9223372036854775808,"body":"x"}}"#,
        #"{"v":1,"type":"send","data":{"to":-0,"body":"x"}}"#,
        #"{"v":1,"type":"send","data":{"to":99999999999999999999999,"body":"x"}}"#,
        #"{"v":1,"type":"pushAck","data":{"pushID":-1}}"#,
        #"{"v":1,"type":"pushAck","data":{"pushID":18446744073709551616}}"#,
        #"{"v":1,"type":"send","data":{"to":3,"body":"\ud800 alone"}}"#,
        #"{"v":1,"type":"send","data":{"to":3,"body":"\udc00 alone"}}"#,
        #"{"v":1,"type":"send","data":{"to":3,"body":"\x"}}"#,
        #"{"v":1,"type":"send","data":{"to":3,"body":"\u12"}}"#,
        "{\"v\":1,\"type\":\"send\",\"data\":{\"to\":3,\"body\":\"raw\ttab\"}}",
        #"{"v":1,"type":"send","data":{"to":3,"body":"x"}} trailing"#,
        #"{"v":1,"type":"send","data":{"to":3,"body":"x"},}"#,
        #"{"v":1,"type":"send","data":{"to":3,"body":"x",}}"#,
        #"{"v":1,"v":1,"type":"send","data":{"to":3,"body":"x"}}"#,
        #"{"v":1,"type":"send","data":{"to":3,"to":4,"body":"x"}}"#,
        #"{"v":1,"type":"send","ref":"r","data":{"to":3,"body":"x"}}"#,
        #"{"v":1,"type":"send","data":{"to":3,"body":"x","extra":true}}"#,
        #"{"v":1,"type":"send","data":{"to":3,"body":"x","clientMsgID":{"nested":1}}}"#,
        #"{"v":1,"type":"send","data":{"to":3}}"#,
        #"{"v":1,"type":"send","id":7,"data":{"to":3,"body":"x"}}"#,
        #"{"v":1,"type":"send"}"#,
        #"{"v":1,"type":"send","data":null}"#,
        "", "{}", "[]", "null", "{", #"{"v":1"#,
    ]

    @Test("anything unusual is left to the codec, which answers as before")
    func unusualFrames() throws {
        var frames = Self.leftToTheCodec.map { Array($0.utf8) }
        // Not UTF-8: a lone continuation byte, an overlong encoding.
        frames.append(Array(#"{"v":1,"type":"send","data":{"to":3,"body":""#.utf8) + [0x80, 0x22, 0x7D, 0x7D])
        frames.append(Array(#"{"v":1,"type":"send","data":{"to":3,"body":""#.utf8) + [0xC0, 0xAF, 0x22, 0x7D, 0x7D])
        for bytes in frames {
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(HotFrameReader.clientFrame(bytes) == nil, "the hand reader should leave \(text) to the codec")
            #expect(
                outcome { try codec.readClientFrame(bytes) } == outcome { try codec.decodeClientFrame(bytes) },
                "exercise 01.1: readClientFrame and decodeClientFrame answer \(text) differently")
        }
        // Too large for the codec: the size check comes first, as in decodeClientFrame.
        let small = FrameCodec(maxFrameBytes: 40)
        let large = Array(#"{"v":1,"type":"send","data":{"to":3,"body":"more than forty bytes"}}"#.utf8)
        #expect(
            outcome { try small.readClientFrame(large) } == "error frame_too_large",
            "exercise 01.1: a frame over maxFrameBytes is frame_too_large before anything else")
    }

    @Test("random damage to valid frames never makes the hand reader and the codec disagree")
    func randomDamage() throws {
        let clientBases = [
            codec.encode(.send(id: "r1", SendRequest(to: UserID(12), body: "héllo \"x\" \\ 😀", clientMsgID: "c9"))),
            #"{"v":1,"type":"send","id":null,"data":{"to":-3,"body":"\u00e9\ud83d\ude00","from":5,"clientMsgID":null}}"#,
            codec.encode(.pushAck(pushID: 40_017)),
            codec.encode(.pushAcks(upTo: 40_018)),
        ]
        try expectNoDisagreement(
            bases: clientBases, seed: 0x1F_2025, readers: "exercise 01.1 (decodeClientFrame) and the hand reader"
        ) { bytes in
            HotFrameReader.clientFrame(bytes).map { fast in ("\(fast)", outcome { try codec.decodeClientFrame(bytes) }) }
        }
        try expectNoDisagreement(
            bases: Self.serverFrames.map { codec.encode($0) }, seed: 0x2E_2025, readers: "decodeServerFrame and the hand reader"
        ) { bytes in
            HotFrameReader.serverFrame(bytes).map { fast in
                ("\(fast)", (try? codec.decodeServerFrame(bytes)).map { "\($0)" } ?? "an error")
            }
        }
    }

    /// Damages `bases` at random; whenever `read` answers (hand reader's frame, codec's outcome), they must agree.
    /// A failure says how many disagreed and shows the first three, shortened: one mistake in the codec
    /// can make thousands of frames disagree, and a learner needs the first few, not all of them.
    func expectNoDisagreement(
        bases: [String], seed: UInt64, readers: String, read: ([UInt8]) -> (String, String)?
    ) throws {
        var random = SplitMix64(seed: seed)
        let bases = bases.map { Array($0.utf8) }
        let alphabet = Array(#" "\{}[],:-.e0159aunlt/"#.utf8) + [0x00, 0x80, 0xC3, 0xA9]
        var accepted = 0
        var disagreements: [String] = []
        for round in 0..<60_000 {
            var bytes = bases[round % bases.count]
            for _ in 0...random.next(below: 3) {
                let position = random.next(below: bytes.count)
                let byte = alphabet[random.next(below: alphabet.count)]
                switch random.next(below: 3) {
                case 0: bytes[position] = byte
                case 1: bytes.insert(byte, at: position)
                default: bytes.remove(at: position)
                }
            }
            guard let (fast, slow) = read(bytes) else { continue }
            accepted += 1
            if slow != fast {
                disagreements.append(
                    "\(String(decoding: bytes, as: UTF8.self).prefix(100)) → hand \(fast.prefix(80)), codec \(slow.prefix(80))")
            }
        }
        let firstOnes = disagreements.prefix(3).joined(separator: "\n")
        #expect(
            disagreements.isEmpty,
            "\(readers) disagree on \(disagreements.count) of \(accepted) damaged frames; the first ones:\n\(firstOnes)")
        // The damage must leave enough frames readable for the comparison to mean something.
        #expect(accepted > 1_000, "only \(accepted) damaged frames were read by hand")
    }

    static let serverFrames: [ServerFrame] = {
        let message = Message(
            id: MessageID(88), conversationID: .direct(UserID(4), UserID(9)), from: UserID(9), to: UserID(4),
            clientMsgID: "c \"1\"", body: "héllo\n😀 \\ /", sentAt: 1_764_000_000_123, seq: 12, prevSeq: 11)
        let bare = Message(
            id: MessageID(1), conversationID: .direct(UserID(2), UserID(2)), from: UserID(2), to: UserID(2),
            clientMsgID: nil, body: "", sentAt: 0)
        let receipt = ReadReceipt(conversationID: .direct(UserID(4), UserID(9)), unread: 0, totalUnread: 5, readSeq: 12)
        return [
            .ack(ref: "r1", message), .ack(ref: nil, bare),
            .push(pushID: 7, TimelineEntry(version: 31, prevVersion: 30, message: message)),
            .push(pushID: nil, TimelineEntry(version: 1, prevVersion: 0, message: bare)),
            .push(pushID: UInt64.max, TimelineEntry(version: 32, prevVersion: 31, read: receipt)),
            .push(
                pushID: 8,
                TimelineEntry(
                    version: 33, prevVersion: 32,
                    read: ReadReceipt(conversationID: .direct(UserID(1), UserID(3)), unread: 2, totalUnread: 2))),
        ]
    }()

    @Test("ack and push frames (the server's) are read by hand, with the codec's result, in any spelling")
    func serverFramesReadAlike() throws {
        var texts = Self.serverFrames.map { codec.encode($0) }
        texts += [
            #" { "data" : { "message" : { "body" : "x" , "sentAt" : 5 , "to" : 3 , "from" : 2 , "conversationID" : "d:2:3" , "id" : 9 , "seq" : null , "clientMsgID" : null } } , "ref" : null , "type" : "ack" , "v" : 1 } "#,
            #"{"v":1,"type":"push","data":{"pushID":null,"entry":{"kind":"read","version":2,"prevVersion":1,"message":null,"read":{"conversationID":"d:1:2","unread":0,"totalUnread":0,"readSeq":null}}}}"#,
        ]
        for text in texts {
            let bytes = Array(text.utf8)
            let fast = try #require(HotFrameReader.serverFrame(bytes), "the hand reader left \(text.prefix(120)) to the codec")
            #expect(fast == (try codec.decodeServerFrame(bytes)))
            #expect(try codec.readServerFrame(bytes) == fast)
        }
        let unusual = [
            // A kind that does not match what the entry carries; both parts; an unknown kind.
            #"{"v":1,"type":"push","data":{"entry":{"kind":"read","version":2,"prevVersion":1,"message":{"id":1,"conversationID":"d:1:2","from":1,"to":2,"body":"","sentAt":0}}}}"#,
            #"{"v":1,"type":"push","data":{"entry":{"kind":"message","version":2,"prevVersion":1}}}"#,
            #"{"v":1,"type":"push","data":{"entry":{"kind":"typing","version":2,"prevVersion":1}}}"#,
            // A conversation id that is not one.
            #"{"v":1,"type":"ack","data":{"message":{"id":1,"conversationID":"d:2:1","from":1,"to":2,"body":"","sentAt":0}}}"#,
            #"{"v":1,"type":"ack","data":{"message":{"id":1,"conversationID":"g:1","from":1,"to":2,"body":"","sentAt":0}}}"#,
            // Missing, extra or mistyped fields; another version; another type; an id in a server frame.
            #"{"v":1,"type":"ack","data":{"message":{"id":1,"conversationID":"d:1:2","from":1,"to":2,"body":""}}}"#,
            #"{"v":1,"type":"ack","data":{"message":{"id":1,"conversationID":"d:1:2","from":1,"to":2,"body":"","sentAt":0,"x":1}}}"#,
            #"{"v":1,"type":"ack","data":{"message":{"id":"1","conversationID":"d:1:2","from":1,"to":2,"body":"","sentAt":0}}}"#,
            #"{"v":2,"type":"ack","data":{"message":{"id":1,"conversationID":"d:1:2","from":1,"to":2,"body":"","sentAt":0}}}"#,
            #"{"v":1,"type":"pong","ref":"p1"}"#,
            #"{"v":1,"type":"ack","id":"i","data":{"message":{"id":1,"conversationID":"d:1:2","from":1,"to":2,"body":"","sentAt":0}}}"#,
            #"{"v":1,"type":"push","data":{"pushID":-1,"entry":{"kind":"read","version":2,"prevVersion":1,"read":{"conversationID":"d:1:2","unread":0,"totalUnread":0}}}}"#,
        ]
        for text in unusual {
            #expect(HotFrameReader.serverFrame(Array(text.utf8)) == nil, "the hand reader should leave \(text) to the codec")
        }
    }

    /// A frame's description, or its error's code (and message): comparable outcomes of both paths.
    func outcome(_ read: () throws -> ClientFrame) -> String {
        do {
            return "\(try read())"
        } catch let error as IMError {
            return "error \(error.code.rawValue)" + (error.code == .frameTooLarge ? "" : ": \(error.message)")
        } catch {
            return "other error \(error)"
        }
    }
}
