// Lesson 04 tests, part 3: the two shapes of `pushAck` — one push, or every push up to a number.

import IMCore
import Testing

@Suite("04 pushAck frames")
struct PushAckFrameTests {
    let codec = FrameCodec()

    @Test("pushAck carries either pushID or upTo; both or neither is bad_frame")
    func shapes() throws {
        #expect(try codec.decodeClientFrame(Array(#"{"v":1,"type":"pushAck","data":{"pushID":7}}"#.utf8)) == .pushAck(pushID: 7))
        #expect(try codec.decodeClientFrame(Array(#"{"v":1,"type":"pushAck","data":{"upTo":9}}"#.utf8)) == .pushAcks(upTo: 9))
        for text in [#"{"v":1,"type":"pushAck","data":{"pushID":7,"upTo":9}}"#, #"{"v":1,"type":"pushAck","data":{}}"#] {
            #expect(throws: IMError.self, "\(text) must be refused") { try codec.decodeClientFrame(Array(text.utf8)) }
            do {
                _ = try codec.decodeClientFrame(Array(text.utf8))
            } catch let error as IMError {
                #expect(error.code == .badFrame, "\(text): bad_frame, got \(error.code)")
            }
        }
        for frame: ClientFrame in [.pushAck(pushID: 12), .pushAcks(upTo: 40)] {
            #expect(try codec.decodeClientFrame(Array(codec.encode(frame).utf8)) == frame, "\(frame) survives a round trip")
        }
    }
}
