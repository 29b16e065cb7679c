// Lesson 20 tests, part 4: one fan-out pass with recording connections (no sockets).

import Foundation
import IMCore
import IMGateway
import IMGroup
import NIOCore
import Synchronization
import Testing

/// A connection that records the bytes written to it, with a settable backlog.
final class RecordingSink: FrameSink {
    let written = Mutex<[[UInt8]]>([])
    let backlog: Int

    init(backlog: Int = 0) { self.backlog = backlog }

    func send(_ frame: ServerFrame) { written.withLock { $0.append(Array(FrameCodec().encode(frame).utf8)) } }
    func send(_ encoded: EncodedFrame) { written.withLock { $0.append(Array(encoded.bytes.readableBytesView)) } }
    func close(reason: String) {}
    var outboundBytesPending: Int { backlog }
    var count: Int { written.withLock { $0.count } }
}

@Suite("20.4 Fan-out pass")
struct GroupFanoutTests {
    @Test(
        "every online device of every member gets the same bytes exactly once; the sender's connection, slow ones and offline members do not"
    )
    func onePass() throws {
        let (alice, bob, carol, dave) = (UserID(1), UserID(2), UserID(3), UserID(4))
        let alicePhone = RecordingSink(), aliceLaptop = RecordingSink(), bobPhone = RecordingSink()
        let carolSlow = RecordingSink(backlog: 5_000)
        func entry(_ number: UInt64, _ device: String, _ sink: RecordingSink) -> SessionEntry {
            SessionEntry(connection: ConnectionID(number), device: DeviceID(rawValue: device)!, sink: sink)
        }
        let online: [UserID: [SessionEntry]] = [
            alice: [entry(1, "phone", alicePhone), entry(2, "laptop", aliceLaptop)],
            bob: [entry(3, "phone", bobPhone)],
            carol: [entry(4, "phone", carolSlow)],
        ]
        let message = GroupMessage(group: GroupID(7), seq: 1, from: alice, clientMsgID: nil, body: "hi", sentAt: 0)
        let frame = try EncodedFrame(type: "group.message", ref: nil, payload: message)
        let report = GroupFanout.deliver(
            frame, to: [alice, bob, carol, dave, bob], online: online, excluding: ConnectionID(1), slowBytes: 1_000)

        #expect(alicePhone.count == 0, "Exercise 20.4: the sending connection is skipped (its answer carries the message)")
        #expect(aliceLaptop.count == 1, "Exercise 20.4: the sender's other device gets it once; got \(aliceLaptop.count)")
        #expect(bobPhone.count == 1, "Exercise 20.4: bob is listed twice but gets it once; got \(bobPhone.count)")
        #expect(carolSlow.count == 0, "Exercise 20.4: a connection over the backlog limit is skipped, not written to")
        #expect(
            report.delivered == 2 && report.skippedSlow == 1 && report.offlineMembers == 1,
            "Exercise 20.4: 2 delivered, 1 slow, 1 offline (dave); got \(report)")
        let bytes = [aliceLaptop, bobPhone].flatMap { $0.written.withLock { $0 } }
        #expect(Set(bytes).count == 1, "the same encoded bytes go to every device")
    }
}
