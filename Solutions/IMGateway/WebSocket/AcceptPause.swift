// Lesson 03: when accept fails for want of descriptors, stop asking for a moment.
//
// At the open-file limit, accept() fails with EMFILE and leaves the connection in the kernel's
// queue, so the listening socket stays readable and the event loop asks again at once: a core
// at 100% doing nothing. NIO's own AcceptBackoffHandler does not help here: it delays the next
// read the channel asks for, but after a failed accept the channel still has its read pending
// and asks for none (swift-nio 2.x). So this handler turns the listener's reading off for a
// short pause, which takes it out of the event loop's interest set, and back on after it.
// The connection caps keep connections from reaching the limit; this covers what else may.

import Logging
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// On the listener's channel: pauses accepting for `pause` after an accept failed for want of
/// descriptors or memory, instead of retrying at once.
final class AcceptPause: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = any Channel

    private let pause: TimeAmount
    private let logger: Logger
    private var resumption: Scheduled<Void>?
    private var pauses = 0
    private var lastWarning: NIODeadline?

    init(pause: TimeAmount, logger: Logger) {
        self.pause = pause
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        defer { context.fireErrorCaught(error) }
        guard let error = error as? IOError, [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.errnoCode),
            resumption == nil, let options = context.channel.syncOptions
        else { return }
        pauses += 1
        warnNow(error)
        try? options.setOption(ChannelOptions.autoRead, value: false)
        resumption = context.eventLoop.assumeIsolated().scheduleTask(in: pause) {
            self.resumption = nil
            try? options.setOption(ChannelOptions.autoRead, value: true)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        resumption?.cancel()
        resumption = nil
    }

    /// One warning every 10 s at most: the condition can last.
    private func warnNow(_ error: IOError) {
        let now = NIODeadline.now()
        if let lastWarning, now - lastWarning < .seconds(10) { return }
        lastWarning = now
        logger.warning(
            "accept failed (\(error.description)): pausing accepts; raise the open-file limit or lower --max-connections",
            metadata: ["pauses": "\(pauses)", "pause_ms": "\(pause.nanoseconds / 1_000_000)"])
    }
}
