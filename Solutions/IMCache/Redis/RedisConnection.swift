// Lesson 17: one TCP connection to Redis, pipelined.
//
// Given. Redis answers the commands of one connection in the order they were sent, so the
// connection needs no request ids: it keeps a queue of waiting callers and hands each reply to
// the oldest. Many callers can have commands in flight at once (pipelining): one round trip
// carries them all. A command that gets no reply in time closes the connection, because a late
// reply would otherwise be handed to the next caller.

import NIOCore
import NIOPosix

/// A batch of commands written together, and the promise of their replies in order.
struct RedisRequest: Sendable {
    let commands: [[[UInt8]]]
    let promise: EventLoopPromise<[RESPValue]>
}

/// Turns bytes into replies with `RESPParser`.
struct RESPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue
    let parser: RESPParser

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let value = try parser.parse(&buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(value))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// Writes batches, and matches replies to them in order.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Waiting {
        var remaining: Int
        var replies: [RESPValue]
        let promise: EventLoopPromise<[RESPValue]>
    }

    private var waiting: [Waiting] = []
    private var first = 0

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        var buffer = context.channel.allocator.buffer(capacity: 64 * request.commands.count)
        for command in request.commands { RESPEncoder.encode(command, into: &buffer) }
        waiting.append(Waiting(remaining: request.commands.count, replies: [], promise: request.promise))
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard first < waiting.count else {
            // A reply nobody asked for: the stream is out of step; nothing after it can be trusted.
            failAll(.protocolError("a reply with no command waiting"), context: context)
            return
        }
        waiting[first].replies.append(unwrapInboundIn(data))
        waiting[first].remaining -= 1
        if waiting[first].remaining == 0 {
            let done = waiting[first]
            first += 1
            if first == waiting.count {
                waiting.removeAll(keepingCapacity: true)
                first = 0
            }
            done.promise.succeed(done.replies)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll((error as? RedisError) ?? .protocolError("\(error)"), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connectionClosed)
        context.fireChannelInactive()
    }

    private func failAll(_ error: RedisError, context: ChannelHandlerContext) {
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: RedisError) {
        let pending = waiting[first...]
        waiting = []
        first = 0
        for request in pending { request.promise.fail(error) }
    }
}

/// An open connection. Safe to use from any task; commands are written on the channel's event loop.
public final class RedisConnection: Sendable {
    let channel: any Channel
    let commandTimeout: TimeAmount

    init(channel: any Channel, commandTimeout: TimeAmount) {
        self.channel = channel
        self.commandTimeout = commandTimeout
    }

    /// Connects to `host:port` within `connectTimeout`.
    public static func connect(
        host: String, port: Int, connectTimeout: TimeAmount = .seconds(1), commandTimeout: TimeAmount = .milliseconds(500),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, parser: RESPParser = RESPParser()
    ) async throws(RedisError) -> RedisConnection {
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(connectTimeout)
                .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RESPReplyDecoder(parser: parser)))
                        try channel.pipeline.syncOperations.addHandler(RedisCommandHandler())
                    }
                }
                .connect(host: host, port: port)
                .get()
            return RedisConnection(channel: channel, commandTimeout: commandTimeout)
        } catch {
            throw .connectFailed("\(host):\(port): \(error)")
        }
    }

    public var isActive: Bool { channel.isActive }

    /// Sends `commands` in one write and returns their replies in order (`-ERR` replies included
    /// as `.error` values: one refused command does not fail the batch).
    public func pipeline(_ commands: [[[UInt8]]]) async throws(RedisError) -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        let promise = channel.eventLoop.makePromise(of: [RESPValue].self)
        let timeout = channel.eventLoop.scheduleTask(in: commandTimeout) { [channel] in
            promise.fail(RedisError.timedOut)
            channel.close(promise: nil)
        }
        channel.writeAndFlush(RedisRequest(commands: commands, promise: promise)).cascadeFailure(to: promise)
        do {
            let replies = try await promise.futureResult.get()
            timeout.cancel()
            return replies
        } catch {
            timeout.cancel()
            throw (error as? RedisError) ?? .connectionClosed
        }
    }

    /// Sends one command.
    public func send(_ command: [[UInt8]]) async throws(RedisError) -> RESPValue {
        try await pipeline([command])[0]
    }

    public func close() async {
        try? await channel.close()
    }
}
