// The client library of the IM: a WebSocket connection (docs/PROTOCOL.md), used by `im-client` and the tests.

import Foundation
import HTTPTypes
import HummingbirdWSClient
import IMCore
import IMSecurity
import Logging
import NIOWebSocket

/// One WebSocket connection to the server. Frames received are buffered until read with `next`.
public final class IMWebSocketClient: Sendable {
    /// The server's first frame.
    public let hello: Hello
    private let inbox: FrameInbox
    /// Heartbeats waiting for their pong (lesson 08); their pongs never reach the inbox.
    let heartbeats: HeartbeatPongs
    private let outgoing: AsyncStream<Outgoing>.Continuation
    private let task: Task<Void, Never>
    private let codec = FrameCodec(maxFrameBytes: 16 * 1024 * 1024)

    enum Outgoing: Sendable {
        case text(String)
        /// Write the cumulative ACK of the pushes received so far (lesson 20), if still due.
        case pushAck
        case close
    }

    private init(
        hello: Hello, inbox: FrameInbox, heartbeats: HeartbeatPongs, outgoing: AsyncStream<Outgoing>.Continuation,
        task: Task<Void, Never>
    ) {
        self.hello = hello
        self.inbox = inbox
        self.heartbeats = heartbeats
        self.outgoing = outgoing
        self.task = task
    }

    /// Connects to `ws://host:port/ws` with `token` and waits for `hello`.
    /// - Parameters:
    ///   - tokenInQuery: send the token as `?token=` (as browsers do) instead of a header.
    ///   - acknowledgePushes: acknowledge every push that carries an id (lesson 04), one
    ///     cumulative `pushAck` for each burst (lesson 20). Tests turn it off to play a client
    ///     whose ACKs get lost.
    ///   - tls: for `https`/`wss` servers: the roots to trust and the key pins (lesson 06).
    public static func connect(
        baseURL: String, token: String, tokenInQuery: Bool = false, acknowledgePushes: Bool = true,
        tls: ClientTLS? = nil, timeout: Duration = .seconds(10), logger: Logger = Logger(label: "im-client.ws")
    ) async throws -> IMWebSocketClient {
        let wsBase = baseURL.replacingPrefix("http://", with: "ws://").replacingPrefix("https://", with: "wss://")
        if let tls, !tls.pins.isEmpty {
            // Lesson 06: the pin is checked on a handshake of its own (see `PinnedHandshake`).
            guard let url = URL(string: wsBase), url.scheme == "wss", let host = url.host else {
                throw SecurityError(.badPin, "key pins need a wss:// server, not \(wsBase)")
            }
            try await PinnedHandshake.check(host: host, port: url.port ?? 443, tls: tls)
        }
        let tlsConfiguration = try tls?.makeConfiguration()
        let url = wsBase + (tokenInQuery ? "/ws?token=\(token)" : "/ws")
        var headers = HTTPFields()
        if !tokenInQuery { headers[.authorization] = "Bearer \(token)" }
        let inbox = FrameInbox()
        let heartbeats = HeartbeatPongs()
        let (outgoingStream, outgoing) = AsyncStream.makeStream(of: Outgoing.self)
        let codec = FrameCodec(maxFrameBytes: 16 * 1024 * 1024)
        let acks = PushAckCoalescer()

        let task = Task {
            do {
                let close = try await WebSocketClient.connect(
                    url: url, configuration: .init(maxFrameSize: 1 << 22, additionalHeaders: headers),
                    tlsConfiguration: tlsConfiguration, logger: logger
                ) { inbound, outbound, _ in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await item in outgoingStream {
                                switch item {
                                case .text(let text): try await outbound.write(.text(text))
                                case .pushAck:
                                    if let ack = acks.take() { try await outbound.write(.text(codec.encode(ack))) }
                                case .close:
                                    try await outbound.close(.normalClosure, reason: nil)
                                    return
                                }
                            }
                        }
                        for try await message in inbound.messages(maxSize: 1 << 22) {
                            guard case .text(let text) = message else { continue }
                            let frame = try codec.readServerFrame(Array(text.utf8))
                            if acknowledgePushes, case .push(let pushID?, _) = frame, acks.received(pushID) {
                                outgoing.yield(.pushAck)
                            }
                            if case .pong(let ref?) = frame, HeartbeatPongs.isHeartbeat(ref) {
                                await heartbeats.answered(ref)
                                continue
                            }
                            await inbox.append(frame)
                        }
                        group.cancelAll()
                    }
                }
                await inbox.finish(closeCode: close?.closeCode)
            } catch {
                await inbox.finish(error: error)
            }
            await heartbeats.finish()
        }
        do {
            guard case .hello(let hello) = try await inbox.next(timeout: timeout) else {
                throw IMClientError.unreadableResponse(status: 0, body: "first frame was not hello")
            }
            return IMWebSocketClient(hello: hello, inbox: inbox, heartbeats: heartbeats, outgoing: outgoing, task: task)
        } catch {
            outgoing.finish()
            task.cancel()
            throw error
        }
    }

    deinit {
        outgoing.finish()
        task.cancel()
    }

    /// Sends a frame (queued; written in order).
    public func send(_ frame: ClientFrame) {
        outgoing.yield(.text(codec.encode(frame)))
    }

    /// Sends raw text as it is (tests of bad input).
    public func sendRaw(_ text: String) {
        outgoing.yield(.text(text))
    }

    /// The next frame from the server; throws `timedOut` or `closed`.
    public func next(timeout: Duration = .seconds(10)) async throws -> ServerFrame {
        try await inbox.next(timeout: timeout)
    }

    // `next(where:)`, `sendMessage` and `nextPushedMessage` come with `IMTransport` (lesson 13).

    /// Frames received and not read yet.
    public func buffered() async -> [ServerFrame] { await inbox.drain() }

    /// The close code the server sent, once the connection is closed.
    public func closeCode() async -> WebSocketErrorCode? { await inbox.closeCode }

    /// Whether the connection has ended.
    public func isClosed() async -> Bool { await inbox.isFinished }

    /// Closes the connection.
    public func close() {
        outgoing.yield(.close)
        outgoing.finish()
    }
}

/// Frames received, waiting to be read; at most one reader waits at a time.
actor FrameInbox {
    private var frames: [ServerFrame] = []
    private var waiter: CheckedContinuation<Void, Never>?
    private(set) var isFinished = false
    private(set) var closeCode: WebSocketErrorCode?
    private var failure: (any Error)?

    func append(_ frame: ServerFrame) {
        frames.append(frame)
        wakeWaiter()
    }

    func finish(closeCode: WebSocketErrorCode? = nil, error: (any Error)? = nil) {
        isFinished = true
        self.closeCode = closeCode
        failure = error
        wakeWaiter()
    }

    func drain() -> [ServerFrame] {
        defer { frames.removeAll() }
        return frames
    }

    func next(timeout: Duration) async throws -> ServerFrame {
        let deadline = ContinuousClock.now + timeout
        while frames.isEmpty {
            if isFinished { throw failure ?? IMClientError.closed }
            guard ContinuousClock.now < deadline else { throw IMClientError.timedOut("a frame from the server") }
            await waitForChange(until: deadline)
        }
        return frames.removeFirst()
    }

    private func waitForChange(until deadline: ContinuousClock.Instant) async {
        // One timer per wait, cancelled as soon as a frame wakes the waiter: a reader that waits
        // for hours between frames must not leave a sleeping task behind for every frame.
        var timer: Task<Void, Never>?
        await withCheckedContinuation { continuation in
            waiter = continuation
            timer = Task {
                guard (try? await Task.sleep(until: deadline)) != nil else { return }
                self.wakeWaiter()
            }
        }
        timer?.cancel()
    }

    private func wakeWaiter() {
        waiter?.resume()
        waiter = nil
    }
}

extension String {
    func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
