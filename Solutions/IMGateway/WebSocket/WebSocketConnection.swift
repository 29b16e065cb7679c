// Lesson 03: one WebSocket connection, from hello to close — with no task of its own.
//
// Three kinds of event drive a connection: a frame arrives (on the connection's event loop), a
// frame is sent (an answer, or a push from whichever task stored a message), a close is asked
// for (the device connected again, the connection went silent, a push was never acknowledged,
// the server is stopping). Requests are answered one at a time, in the order they came, by a
// task that exists only while requests wait: the first request starts it, and it ends when the
// queue is empty. An idle connection holds no task at all.
//
// Every write goes through the event loop, so nothing is written after the close frame.

import IMCore
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

/// The session of one upgraded WebSocket, and its `FrameSink` in the session map.
final class WebSocketConnection: FrameSink {
    /// What the request queue holds: a request to carry out, or an answer already known
    /// (an error for a bad frame), which must still wait for the answers before it.
    enum Work: Sendable {
        case request(ClientFrame)
        case reply(ServerFrame)
    }

    private struct State {
        var waiting = CircularBuffer<Work>()
        /// A task is opening the session or answering requests.
        var working = false
        var readingPaused = false
        /// In the session map (and told to the observer).
        var registered = false
        /// Closed, or its close frame sent: nothing more is answered.
        var finished = false
        var tracker: (any PushTracker)?
    }

    /// Loop-only state of the close handshake.
    /// State only the event loop touches.
    private struct Closing {
        var closeSent = false
        var timeout: Scheduled<Void>?
        /// A flush is queued on the event loop: frames written before it runs share its system call.
        var flushQueued = false
    }

    let channel: any Channel
    let identity: Identity
    let connectionID: ConnectionID
    let endpoint: WebSocketEndpoint
    let logger: Logger
    private let state = Mutex(State())
    /// What the socket had not taken at the last flush (read off the loop by fan-outs).
    private let pendingAtLastFlush = Atomic<Int>(0)
    private let closing: NIOLoopBoundBox<Closing>
    private let requestExecutor: EventLoopTaskExecutor

    /// Requests queued at most before the connection stops reading its socket.
    static let maxWaiting = 64

    /// Must be called on the channel's event loop.
    init(channel: any Channel, identity: Identity, endpoint: WebSocketEndpoint, connectionID: ConnectionID, logger: Logger) {
        self.channel = channel
        self.identity = identity
        self.endpoint = endpoint
        self.connectionID = connectionID
        var logger = logger
        logger[metadataKey: "connection"] = "\(connectionID)"
        self.logger = logger
        closing = NIOLoopBoundBox(Closing(), eventLoop: channel.eventLoop)
        requestExecutor = EventLoopTaskExecutor(channel.eventLoop)
    }

    // MARK: Opening

    /// Opens the session: `hello` first, then the entry in the session map. Requests that come
    /// meanwhile wait in the queue and are answered after.
    func start() {
        state.withLock { $0.working = true }
        Task {
            await open()
            await answerWaitingRequests()
        }
    }

    private func open() async {
        do {
            // Hello is sent before the entry is registered, so it is the first frame on the wire.
            send(.hello(try await endpoint.responder.hello(for: identity)))
            let tracker = endpoint.pushTracking?.makeTracker(
                send: { [weak self] frame in self?.send(frame) },
                giveUp: { [weak self] reason in self?.close(.policyViolation, reason: reason) })
            state.withLock { $0.tracker = tracker }
            let entry = SessionEntry(connection: connectionID, device: identity.deviceID, sink: self)
            if let loser = await endpoint.registry.register(entry, for: identity.userID) {
                // The older of the device's two connections: the one replaced, or this one if it came late.
                loser.sink.close(reason: "replaced by a newer connection of the same device")
            }
            endpoint.observer?.opened(connectionID) { [weak self] reason in self?.close(.goingAway, reason: reason) }
            let finishedMeanwhile = state.withLock { state -> Bool in
                state.registered = true
                return state.finished
            }
            // It closed while it was opening: the cleanup is ours.
            if finishedMeanwhile { await leaveSessionMap(tracker: tracker) }
        } catch {
            send(.error(ref: nil, IMError(describing: error)))
            close(.unexpectedServerError, reason: "could not open the session")
        }
    }

    // MARK: Requests

    /// A text frame arrived (on the event loop). Returns `false` when the socket should stop
    /// being read until the queue has room again.
    func received(text bytes: [UInt8]) -> Bool {
        endpoint.observer?.received(on: connectionID)
        guard bytes.count <= endpoint.configuration.maxFrameBytes else {
            send(
                .error(
                    ref: nil,
                    IMError(
                        .frameTooLarge,
                        "frame of \(bytes.count) bytes exceeds the limit of \(endpoint.configuration.maxFrameBytes)")))
            close(.messageTooLarge, reason: "frame too large")
            return true
        }
        let frame: ClientFrame
        do {
            frame = try endpoint.codec.readClientFrame(bytes)
        } catch {
            // The frame is refused, but its `id` may still be readable: answer that request.
            return enqueue(.reply(.error(ref: FrameCodec.requestID(in: bytes), IMError(describing: error))))
        }
        // An ACK of a push is not a request: nothing is answered, and it need not wait.
        switch frame {
        case .pushAck(let pushID):
            state.withLock { $0.tracker }?.acknowledge(pushID)
            return true
        case .pushAcks(let upTo):
            state.withLock { $0.tracker }?.acknowledge(upTo: upTo)
            return true
        default: break
        }
        return enqueue(.request(frame))
    }

    /// A binary frame arrived: the protocol is JSON text.
    func receivedBinary() -> Bool {
        endpoint.observer?.received(on: connectionID)
        return enqueue(.reply(.error(ref: nil, .badFrame("binary frames are not supported; send JSON text frames"))))
    }

    private func enqueue(_ work: Work) -> Bool {
        let (startTask, keepReading) = state.withLock { state -> (Bool, Bool) in
            guard !state.finished else { return (false, true) }
            state.waiting.append(work)
            let startTask = !state.working
            state.working = true
            if state.waiting.count >= Self.maxWaiting { state.readingPaused = true }
            return (startTask, !state.readingPaused)
        }
        // The answering task runs on this connection's event loop, where its answers are written.
        if startTask { Task(executorPreference: requestExecutor) { await self.answerWaitingRequests() } }
        return keepReading
    }

    /// Answers queued requests in order; returns when the queue is empty.
    private func answerWaitingRequests() async {
        let responder = endpoint.responder
        while true {
            let (work, resumeReading) = state.withLock { state -> (Work?, Bool) in
                guard !state.finished, let work = state.waiting.popFirst() else {
                    state.working = false
                    state.waiting.removeAll()
                    return (nil, false)
                }
                let resume = state.readingPaused && state.waiting.count <= Self.maxWaiting / 2
                if resume { state.readingPaused = false }
                return (work, resume)
            }
            if resumeReading { channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in } }
            switch work {
            case nil:
                return
            case .reply(let frame):
                send(frame)
            case .request(let frame):
                if let reply = await responder.answer(frame, from: identity, connection: connectionID) { send(reply) }
            }
        }
    }

    // MARK: FrameSink

    func send(_ frame: ServerFrame) {
        let text = endpoint.codec.encode(frame)
        let buffer = channel.allocator.buffer(string: text)
        onLoop { $0.write(WebSocketFrame(fin: true, opcode: .text, data: buffer)) }
    }

    func send(_ encoded: EncodedFrame) {
        // The same buffer for every connection: NIO copies no bytes to write it many times.
        onLoop { $0.write(WebSocketFrame(fin: true, opcode: .text, data: encoded.bytes)) }
    }

    var outboundBytesPending: Int { pendingAtLastFlush.load(ordering: .relaxed) }

    func push(_ entry: TimelineEntry) {
        if let tracker = state.withLock({ $0.tracker }) {
            tracker.push(entry)
        } else {
            send(.push(pushID: nil, entry))
        }
    }

    func close(reason: String) { close(.normalClosure, reason: reason) }

    /// Sends a close frame; the connection leaves the session map once it is written, and the
    /// socket is closed when the client answers — or after the close time-out, since a dead
    /// peer (the reason for many closes) never answers.
    func close(_ code: WebSocketErrorCode, reason: String) {
        onLoop { $0.sendClose(code, reason: reason) }
    }

    // MARK: On the event loop

    private func onLoop(_ body: @escaping @Sendable (WebSocketConnection) -> Void) {
        if channel.eventLoop.inEventLoop {
            body(self)
        } else {
            channel.eventLoop.execute { body(self) }
        }
    }

    private func write(_ frame: WebSocketFrame) {
        guard !closing.value.closeSent else { return }
        // Written now, flushed once the event loop has run what is queued: the acks and pushes
        // that one group commit releases for this connection then leave in one `writev`, not one
        // system call each.
        channel.write(frame, promise: nil)
        if !closing.value.flushQueued {
            closing.value.flushQueued = true
            channel.eventLoop.execute { self.flush() }
        }
    }

    private func flush() {
        closing.value.flushQueued = false
        channel.flush()
        // What is still buffered now waits for the client, not for us. A client that stops
        // reading (a frozen app, a dead path the kernel still buffers for) must not make the
        // server hold its frames without end. What it missed is stored; it syncs when it comes back.
        let pending = noteOutboundBytesPending()
        if !channel.isWritable, pending > endpoint.configuration.maxPendingOutboundBytes {
            sendClose(.policyViolation, reason: "the client does not read: \(pending) bytes wait to be sent")
        }
    }

    /// Reads what the socket has not taken yet and keeps it for `outboundBytesPending`. On the loop.
    @discardableResult
    func noteOutboundBytesPending() -> Int {
        let pending = (try? channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        pendingAtLastFlush.store(pending, ordering: .relaxed)
        return pending
    }

    private func sendClose(_ code: WebSocketErrorCode, reason: String) {
        guard !closing.value.closeSent else { return }
        closing.value.closeSent = true
        var data = channel.allocator.buffer(capacity: 2 + 123)
        data.write(webSocketErrorCode: code)
        data.writeString(Self.closeReason(reason))
        let written = channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))
        written.whenComplete { _ in self.finish() }
        let channel = channel
        closing.value.timeout = channel.eventLoop.scheduleTask(in: .init(endpoint.configuration.webSocketCloseTimeout)) {
            channel.close(promise: nil)
        }
    }

    /// The client sent a close frame: answer it (unless ours crossed it) and close the socket.
    func receivedClose(_ data: ByteBuffer) {
        if closing.value.closeSent {
            channel.close(promise: nil)
            return
        }
        closing.value.closeSent = true
        var answer = channel.allocator.buffer(capacity: 2)
        answer.write(webSocketErrorCode: data.peekWebSocketErrorCode() ?? .normalClosure)
        let channel = channel
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: answer)).whenComplete { _ in
            channel.close(promise: nil)
        }
        finish()
    }

    /// A ping control frame: answered with the same data. (Control frames are not protocol
    /// frames: they do not count as activity for idle detection.)
    func receivedPing(_ data: ByteBuffer) {
        write(WebSocketFrame(fin: true, opcode: .pong, data: data))
    }

    /// The socket closed (or failed).
    func channelClosed() {
        closing.value.timeout?.cancel()
        closing.value.closeSent = true
        finish()
    }

    /// Pauses reading the socket when the handler's `received` said so.
    func pauseReading() {
        channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
    }

    // MARK: Closing

    /// Ends the session once: no more answers, and out of the session map.
    private func finish() {
        let (wasRegistered, tracker) = state.withLock { state -> (Bool, (any PushTracker)?) in
            guard !state.finished else { return (false, nil) }
            state.finished = true
            state.waiting.removeAll()
            return (state.registered, state.tracker)
        }
        tracker?.close()
        guard wasRegistered else { return }
        Task { await leaveSessionMap(tracker: nil) }
    }

    private func leaveSessionMap(tracker: (any PushTracker)?) async {
        tracker?.close()
        await endpoint.registry.unregister(connectionID, device: identity.deviceID, of: identity.userID)
        endpoint.observer?.closed(connectionID)
        logger.debug("websocket closed")
    }

    /// A close reason is at most 123 bytes of UTF-8; longer ones are cut at a character boundary.
    static func closeReason(_ reason: String) -> String {
        var cut = ""
        for character in reason {
            guard cut.utf8.count + character.utf8.count <= 123 else { break }
            cut.append(character)
        }
        return cut
    }
}
