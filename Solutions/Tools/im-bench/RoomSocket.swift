// im-bench's live-room client (scenario `room`): a viewer that counts the posts in the batches it
// reads, or a sender that posts at a steady rate. Like `BenchSocket`, a socket's state lives on
// its channel's event loop.
//
// At 10,000 viewers the client reads as many frames as the server writes, on the same two cores.
// So a viewer does not decode a batch: it counts the `"seq":` keys in its bytes (a body cannot
// contain that text: its quotes are escaped) and reads `"sampled":`. Only the viewers that
// measure latency decode the batch and read the send time at the start of each post's body.

import Foundation
import Histogram
import IMCore
import IMLiveRoom
import NIOCore
import NIOWebSocket

/// What one room socket counted; collected once the run is over.
struct RoomSocketStats: Sendable {
    /// Post sent → the batch with it read by a viewer, microseconds.
    var latency = Histogram<UInt64>(highestTrackableValue: 120_000_000)
    var frames = 0
    var bytes = 0
    var batches = 0
    var posts = 0
    var sampled = 0
    var missedPosts = 0
    var sent = 0
    var posted = 0
    var errors = 0

    mutating func add(_ other: RoomSocketStats) {
        latency.add(other.latency)
        frames += other.frames
        bytes += other.bytes
        batches += other.batches
        posts += other.posts
        sampled += other.sampled
        missedPosts += other.missedPosts
        sent += other.sent
        posted += other.posted
        errors += other.errors
    }
}

/// One WebSocket of the room scenario. Everything but the async entry points runs on the event loop.
final class RoomSocket: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let eventLoop: any EventLoop
    let measuresLatency: Bool
    private let hello: EventLoopPromise<Void>
    private let joined: EventLoopPromise<Void>
    private let codec = FrameCodec(maxFrameBytes: 1 << 22)
    private var context: ChannelHandlerContext?
    private var counting = false
    private var counts = RoomSocketStats()
    private var posting: (room: String, body: String, interval: Int64, end: NIODeadline)?
    private var nextRequest = 0

    /// How a batch is recognised without decoding it (JSONEncoder does not promise an order of keys).
    private static let batchType = Array(#""type":"room.batch""#.utf8)
    private static let seqKey = Array(#""seq":"#.utf8)
    private static let sampledKey = Array(#""sampled":"#.utf8)

    private init(eventLoop: any EventLoop, measuresLatency: Bool) {
        self.eventLoop = eventLoop
        self.measuresLatency = measuresLatency
        hello = eventLoop.makePromise()
        joined = eventLoop.makePromise()
    }

    /// Opens a WebSocket, waits for `hello`, joins `room` and waits for `room.joined`.
    static func connect(
        group: any EventLoopGroup, host: String, port: Int, token: String, room: String, measuresLatency: Bool
    ) async throws -> RoomSocket {
        let socket = RoomSocket(eventLoop: group.next(), measuresLatency: measuresLatency)
        let channel = try await dialWebSocket(
            eventLoop: socket.eventLoop, host: host, port: port, token: token, handler: socket)
        channel.closeFuture.whenComplete { _ in
            socket.hello.fail(BenchError("closed before hello"))
            socket.joined.fail(BenchError("closed before room.joined"))
        }
        let timeout = socket.eventLoop.scheduleTask(in: .seconds(20)) {
            socket.hello.fail(BenchError("no hello within 20 s"))
            socket.joined.fail(BenchError("no room.joined within 20 s"))
        }
        defer { timeout.cancel() }
        try await socket.hello.futureResult.get()
        try await socket.eventLoop.submit {
            socket.send(#"{"v":1,"type":"room.join","id":"join","data":{"room":"\#(room)"}}"#)
            socket.context?.flush()
        }.get()
        try await socket.joined.futureResult.get()
        return socket
    }

    /// Counts what arrives from now on (or stops counting).
    func count(_ on: Bool) async {
        try? await eventLoop.submit { self.counting = on }.get()
    }

    /// Posts to `room` every `interval` nanoseconds from `start` until `end`.
    func post(room: String, body: String, interval: Int64, start: NIODeadline, end: NIODeadline) {
        eventLoop.execute {
            self.posting = (room, body, interval, end)
            self.schedule(at: start)
        }
    }

    /// The counts; closes the socket.
    func finish() async -> RoomSocketStats {
        (try? await eventLoop.submit {
            self.posting = nil
            self.context?.close(promise: nil)
            return self.counts
        }.get()) ?? RoomSocketStats()
    }

    // MARK: On the event loop

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    private func schedule(at deadline: NIODeadline) {
        guard let posting, deadline < posting.end else { return }
        eventLoop.scheduleTask(deadline: deadline) {
            guard let posting = self.posting else { return }
            self.nextRequest += 1
            self.counts.sent += 1
            // The send time travels at the start of the body, for the viewers that measure latency.
            let stamp = NIODeadline.now().uptimeNanoseconds / 1_000
            self.send(
                #"{"v":1,"type":"room.post","id":"\#(self.nextRequest)","data":{"room":"\#(posting.room)","body":"\#(stamp) \#(posting.body)"}}"#
            )
            self.context?.flush()
            self.schedule(at: deadline + .nanoseconds(posting.interval))
        }
    }

    private func send(_ text: String) {
        guard let context else { return }
        let frame = WebSocketFrame(
            fin: true, opcode: .text, maskKey: .random(), data: context.channel.allocator.buffer(string: text))
        context.write(wrapOutboundOut(frame), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text where frame.fin:
            let data = frame.unmaskedData
            if counting {
                counts.frames += 1
                counts.bytes += data.readableBytes
            }
            let bytes = data.readableBytesView
            // Anywhere in the frame: the encoder's key order varies, so "type" may come after "data"
            // (a body cannot hide the text: its quotes are escaped).
            if Self.occurrences(of: Self.batchType, in: bytes) > 0 {
                if counting { countBatch(bytes) }
            } else if let received = try? codec.readServerFrame(Array(bytes)) {
                handle(received)
            } else {
                counts.errors += 1
            }
        case .ping:
            context.write(
                wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)),
                promise: nil)
        case .connectionClose:
            context.close(promise: nil)
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }

    private func countBatch(_ bytes: ByteBufferView) {
        counts.batches += 1
        counts.posts += Self.occurrences(of: Self.seqKey, in: bytes)
        if let range = bytes.firstRange(of: Self.sampledKey) {
            counts.sampled +=
                Int(String(decoding: bytes[range.upperBound...].prefix { $0 >= 48 && $0 <= 57 }, as: UTF8.self)) ?? 0
        }
        guard measuresLatency, case .extension(_, _, let data?) = try? codec.readServerFrame(Array(bytes)),
            let batch = try? data.decode(RoomBatch.self)
        else { return }
        let now = NIODeadline.now().uptimeNanoseconds / 1_000
        for post in batch.posts {
            if let stamp = UInt64(post.body.prefix { $0 != " " }) { _ = counts.latency.record(now &- min(stamp, now)) }
        }
    }

    private func handle(_ frame: ServerFrame) {
        switch frame {
        case .hello:
            hello.succeed()
        case .extension("room.joined", "join", _):
            joined.succeed()
        case .extension("room.posted", _, _):
            counts.posted += 1
        case .extension("room.missed", _, let data?):
            if counting, let missed = try? data.decode(RoomMissed.self) { counts.missedPosts += missed.posts }
        case .error:
            counts.errors += 1
        default:
            break
        }
    }

    private static func occurrences(of needle: [UInt8], in haystack: ByteBufferView) -> Int {
        haystack.withUnsafeBytes { bytes in
            var count = 0
            var index = 0
            let last = bytes.count - needle.count
            while index <= last {
                if bytes[index] == needle[0], zip(needle.indices, index...).allSatisfy({ needle[$0] == bytes[$1] }) {
                    count += 1
                    index += needle.count
                } else {
                    index += 1
                }
            }
            return count
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        posting = nil
        hello.fail(BenchError("the connection closed"))
        joined.fail(BenchError("the connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        counts.errors += 1
        context.close(promise: nil)
    }
}
