// im-bench's own client for `chat` and `ping`: one WebSocket per user, driven entirely on an NIO
// event loop.
//
// The library client (`IMWebSocketClient`) hands every frame to Swift tasks and actors, which is
// right for an app. At thousands of messages per second on the same two cores as the server,
// those hand-overs made im-bench spend about as much CPU per message as the server it measures,
// and the two then queued behind each other. Here a socket's state lives on its channel's event
// loop: a frame is read, timed and answered (`pushAck`, the next request) in the same turn of the
// loop, with no task, lock or hop. The frames are the library's: `FrameCodec` writes and reads them.

import Histogram
import IMCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// What one socket counted; collected once the run is over.
struct BenchSocketStats: Sendable {
    /// Request → its answer (`ack` of a send, `pong` of a ping), microseconds.
    var answer = Histogram<UInt64>(highestTrackableValue: 120_000_000)
    /// Send → the partner's push, microseconds (chat only).
    var delivery = Histogram<UInt64>(highestTrackableValue: 120_000_000)
    var sent = 0
    var answered = 0
    var delivered = 0
    var errors = 0

    /// Adds another socket's counts to these.
    mutating func add(_ other: BenchSocketStats) {
        answer.add(other.answer)
        delivery.add(other.delivery)
        sent += other.sent
        answered += other.answered
        delivered += other.delivered
        errors += other.errors
    }
}

/// What a socket sends, and how: every `interval`, or flat out with `window` in flight.
struct BenchPlan: Sendable {
    enum Workload: Sendable {
        /// `send` to the partner (the body starts with the send time); answered by `ack`.
        case chat(partner: UserID, body: String)
        /// `ping`; answered by `pong`. The gateway alone, no storage.
        case ping
        /// `group.send` to a group (lesson 20; the body starts with the send time); answered by
        /// `group.send` with the stored message, pushed to the other members as `group.message`.
        case group(id: Int64, body: String)
    }

    var workload: Workload
    /// Nanoseconds between two requests; nil sends flat out.
    var interval: Int64?
    var window: Int
    /// The first send (spread over one interval across the sockets) and the end of sending.
    var start: NIODeadline
    var end: NIODeadline
}

/// One user's WebSocket. Everything but `connect`, `run`, `answered` and `finish` runs on the
/// channel's event loop; those four hop onto it. That confinement is why it may be `Sendable`.
final class BenchSocket: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let user: UserID
    let eventLoop: any EventLoop
    private let hello: EventLoopPromise<Void>
    private let codec = FrameCodec(maxFrameBytes: 1 << 22)
    private var context: ChannelHandlerContext?
    private var plan: BenchPlan?
    private var nextRequest = 0
    /// Request number → when it was sent (uptime nanoseconds).
    private var inFlight: [Int: UInt64] = [:]
    private var counts = BenchSocketStats()

    private init(user: UserID, eventLoop: any EventLoop) {
        self.user = user
        self.eventLoop = eventLoop
        hello = eventLoop.makePromise()
    }

    /// Opens `ws://host:port/ws` with `token` and waits for the server's `hello`.
    static func connect(
        group: any EventLoopGroup, host: String, port: Int, token: String, user: UserID
    ) async throws -> BenchSocket {
        let socket = BenchSocket(user: user, eventLoop: group.next())
        let channel = try await dialWebSocket(
            eventLoop: socket.eventLoop, host: host, port: port, token: token, handler: socket)
        // A refused upgrade closes the channel before any hello.
        channel.closeFuture.whenComplete { _ in socket.hello.fail(BenchError("closed before hello")) }
        // A hello that never comes fails the run instead of hanging it.
        let timeout = socket.eventLoop.scheduleTask(in: .seconds(10)) {
            socket.hello.fail(BenchError("no hello within 10 s"))
        }
        defer { timeout.cancel() }
        try await socket.hello.futureResult.get()
        return socket
    }

    /// Starts sending by `plan`.
    func run(_ plan: BenchPlan) {
        eventLoop.execute { self.begin(plan) }
    }

    /// Requests answered so far (for the progress line).
    func answered() async -> Int {
        (try? await eventLoop.submit { self.counts.answered }.get()) ?? 0
    }

    /// The counts and histograms; closes the socket.
    func finish() async -> BenchSocketStats {
        (try? await eventLoop.submit {
            self.plan = nil
            self.context?.close(promise: nil)
            return self.counts
        }.get()) ?? BenchSocketStats()
    }

    // MARK: On the event loop

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    private func begin(_ plan: BenchPlan) {
        self.plan = plan
        if plan.interval == nil {
            for _ in 0..<plan.window { sendOne() }
            context?.flush()
        } else {
            schedule(at: plan.start)
        }
    }

    /// Rate mode: a send at `deadline`, then the next one an interval later. A socket that fell
    /// behind (the loop was busy) sends at once until it has caught up, like a real client would.
    private func schedule(at deadline: NIODeadline) {
        guard let plan, let interval = plan.interval, deadline < plan.end else { return }
        eventLoop.scheduleTask(deadline: deadline) {
            guard self.plan != nil else { return }
            self.sendOne()
            self.context?.flush()
            self.schedule(at: deadline + .nanoseconds(interval))
        }
    }

    private func sendOne() {
        guard let plan, let context, NIODeadline.now() < plan.end else { return }
        nextRequest += 1
        let now = NIODeadline.now().uptimeNanoseconds
        inFlight[nextRequest] = now
        counts.sent += 1
        switch plan.workload {
        case .chat(let partner, let body):
            // The send time travels in the body, so the partner can measure delivery latency.
            let request = SendRequest(
                to: partner, body: "\(now / 1_000) \(body)", clientMsgID: "\(user.rawValue)-\(nextRequest)")
            write(codec.encode(ClientFrame.send(id: String(nextRequest), request)), context: context)
        case .ping:
            write(codec.encode(ClientFrame.ping(id: String(nextRequest))), context: context)
        case .group(let group, let body):
            let data = JSONValue.object([
                "group": .integer(group), "body": .string("\(now / 1_000) \(body)"),
                "clientMsgID": .string("\(user.rawValue)-\(nextRequest)"),
            ])
            write(
                codec.encode(ClientFrame.extension(ExtensionFrame(type: "group.send", id: String(nextRequest), data: data))),
                context: context)
        }
    }

    private func write(_ text: String, context: ChannelHandlerContext) {
        let buffer = context.channel.allocator.buffer(string: text)
        // Frames from a client are masked (RFC 6455 §5.3); the encoder applies the key.
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer)
        context.write(wrapOutboundOut(frame), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text where frame.fin:
            var data = frame.unmaskedData
            guard let bytes = data.readBytes(length: data.readableBytes), let received = try? codec.readServerFrame(bytes)
            else {
                counts.errors += 1
                return
            }
            handle(received, context: context)
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.write(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            context.close(promise: nil)
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }

    private func handle(_ frame: ServerFrame, context: ChannelHandlerContext) {
        let now = NIODeadline.now().uptimeNanoseconds
        switch frame {
        case .hello:
            hello.succeed()
        case .ack(let ref?, _), .pong(let ref?), .extension("group.send", let ref?, _):
            guard let number = Int(ref), let sentAt = inFlight.removeValue(forKey: number) else { return }
            counts.answered += 1
            _ = counts.answer.record((now &- sentAt) / 1_000)
            if plan?.interval == nil { sendOne() }
        case .error(let ref, _):
            counts.errors += 1
            if let ref, let number = Int(ref), inFlight.removeValue(forKey: number) != nil, plan?.interval == nil {
                sendOne()
            }
        case .push(let pushID, let entry):
            if let pushID { write(codec.encode(ClientFrame.pushAck(pushID: pushID)), context: context) }
            guard let message = entry.message, message.to == user, message.from != user else { return }
            counts.delivered += 1
            if let stamp = UInt64(message.body.prefix { $0 != " " }) {
                _ = counts.delivery.record(now / 1_000 &- min(stamp, now / 1_000))
            }
        case .extension("group.message", nil, .object(let message)?):
            // Lesson 20: a group push; the sending connection gets none of its own.
            guard case .string(let body)? = message["body"] else { return }
            counts.delivered += 1
            if let stamp = UInt64(body.prefix { $0 != " " }) {
                _ = counts.delivery.record(now / 1_000 &- min(stamp, now / 1_000))
            }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        plan = nil
        hello.fail(BenchError("the connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        counts.errors += 1
        context.close(promise: nil)
    }
}
