// The client library of the IM: the HTTP tunnel (lesson 13, docs/PROTOCOL.md "HTTP tunnel").
//
// Two loops stand in for the two directions of a WebSocket. The uploader sends queued frames
// as numbered batches, one POST at a time, and repeats a batch with the same number until the
// server answers (a repeat is not applied twice). The poller long-polls the down channel with
// `after=` the last tunnel number it has, so a lost answer is simply sent again; it drops
// frames it has already seen by number and ACKs pushes as the WebSocket client does.

import AsyncHTTPClient
import Foundation
import IMCore
import IMTunnel
import Logging
import NIOCore
import Synchronization

/// One tunnel session. Frames received are buffered until read with `next`.
public final class IMTunnelClient: IMTransport {
    public let hello: Hello
    /// The session id the server gave.
    public let sessionID: String
    private let inbox: FrameInbox
    private let outbox: TunnelOutbox
    private let http: IMHTTPClient
    private let task: Task<Void, Never>
    private let codec = FrameCodec(maxFrameBytes: 16 * 1024 * 1024)

    private init(
        hello: Hello, sessionID: String, inbox: FrameInbox, outbox: TunnelOutbox, http: IMHTTPClient, task: Task<Void, Never>
    ) {
        self.hello = hello
        self.sessionID = sessionID
        self.inbox = inbox
        self.outbox = outbox
        self.http = http
        self.task = task
    }

    /// Opens a tunnel session at `baseURL` (`http://host:port`) with `token`.
    /// - Parameters:
    ///   - acknowledgePushes: answer every push that carries an id with `pushAck` (lesson 04).
    ///   - pollWait: how long each down-poll may be held (the server caps it).
    ///   - httpClient: the HTTP client to use (one with the server's CA for `https`).
    public static func open(
        baseURL: String, token: String, acknowledgePushes: Bool = true, pollWait: Duration = .seconds(20),
        timeout: Duration = .seconds(10), httpClient: HTTPClient = .shared,
        logger: Logger = Logger(label: "im-client.tunnel")
    ) async throws -> IMTunnelClient {
        let http = IMHTTPClient(baseURL: baseURL, token: token, http: httpClient)
        let seconds = Int64(max(timeout.components.seconds, 1))
        let response = try await http.raw("POST", "/api/v1/tunnel", timeout: .seconds(seconds))
        try response.check()
        let opened: TunnelOpened
        do {
            opened = try JSONDecoder().decode(TunnelOpened.self, from: Data(response.body))
        } catch {
            throw IMClientError.unreadableResponse(status: response.status, body: response.text)
        }
        let inbox = FrameInbox()
        let outbox = TunnelOutbox(maxBatch: max(1, opened.maxBatch))
        let path = "/api/v1/tunnel/\(opened.session)"
        let waitSeconds = min(max(Int(pollWait.components.seconds), 0), opened.maxPollWaitSeconds)
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await IMTunnelClient.upload(outbox, to: path, http: http, inbox: inbox, logger: logger) }
                group.addTask {
                    await IMTunnelClient.poll(
                        path, waitSeconds: waitSeconds, acknowledgePushes: acknowledgePushes, http: http, inbox: inbox,
                        outbox: outbox, logger: logger)
                }
                // Either loop ending ends the session for the client.
                _ = await group.next()
                outbox.finish()
                group.cancelAll()
            }
        }
        return IMTunnelClient(
            hello: opened.hello, sessionID: opened.session, inbox: inbox, outbox: outbox, http: http, task: task)
    }

    deinit {
        outbox.finish()
        task.cancel()
    }

    // MARK: IMTransport

    public func send(_ frame: ClientFrame) {
        outbox.enqueue(codec.encode(frame))
    }

    public func next(timeout: Duration = .seconds(10)) async throws -> ServerFrame {
        try await inbox.next(timeout: timeout)
    }

    public func buffered() async -> [ServerFrame] { await inbox.drain() }

    public func isClosed() async -> Bool { await inbox.isFinished }

    /// Why the server ended the session (replaced, pushes not acknowledged, shutdown, idle), if it did.
    public func closeReason() -> String? { outbox.closeReason }

    /// Closes the session: the loops stop and the server is told (best effort).
    public func close() {
        guard outbox.finish() else { return }
        task.cancel()
        let http = http
        let path = "/api/v1/tunnel/\(sessionID)"
        Task { _ = try? await http.raw("DELETE", path, timeout: .seconds(5)) }
    }

    // MARK: Loops

    /// Sends queued frames as numbered batches; a batch is repeated (same number) until answered.
    private static func upload(
        _ outbox: TunnelOutbox, to path: String, http: IMHTTPClient, inbox: FrameInbox, logger: Logger
    ) async {
        var seq: UInt64 = 0
        for await _ in outbox.signals {
            while let batch = outbox.takeBatch() {
                seq += 1
                let frames = batch.compactMap { try? JSONValue(json: Array($0.utf8)) }
                guard let body = try? JSONEncoder().encode(TunnelUpload(seq: seq, frames: frames)) else { continue }
                var failures = 0
                while !Task.isCancelled {
                    do {
                        let response = try await http.raw("POST", path + "/up", body: Array(body), timeout: .seconds(15))
                        if response.status == 404 {
                            await inbox.finish(error: IMClientError.closed)
                            return
                        }
                        // Refused batches (a client bug) are logged and skipped; the session goes on.
                        if !(200..<300).contains(response.status) {
                            logger.warning(
                                "tunnel upload refused", metadata: ["status": "\(response.status)", "body": "\(response.text)"])
                        }
                        break
                    } catch {
                        failures += 1
                        if failures > 5 {
                            await inbox.finish(error: error)
                            return
                        }
                        try? await Task.sleep(for: .milliseconds(100 * failures))
                    }
                }
            }
        }
    }

    /// Long-polls the down channel, acknowledging by `after` what it has, until the session ends.
    private static func poll(
        _ path: String, waitSeconds: Int, acknowledgePushes: Bool, http: IMHTTPClient, inbox: FrameInbox,
        outbox: TunnelOutbox, logger: Logger
    ) async {
        let codec = FrameCodec(maxFrameBytes: 16 * 1024 * 1024)
        var after: UInt64 = 0
        var failures = 0
        while !Task.isCancelled {
            do {
                let response = try await http.raw(
                    "GET", path + "/down?after=\(after)&wait=\(waitSeconds)", timeout: .seconds(Int64(waitSeconds) + 15))
                if response.status == 404 {
                    await inbox.finish(error: IMClientError.closed)
                    return
                }
                try response.check()
                let page = try JSONDecoder().decode(TunnelDownPage.self, from: Data(response.body))
                failures = 0
                // Numbers at or below `after` were seen before (a repeated answer): dropped.
                var highestPushID: UInt64?
                for item in page.frames where item.seq > after {
                    after = item.seq
                    let frame = try codec.decodeServerFrame(item.frame.jsonBytes)
                    if case .push(let pushID?, _) = frame { highestPushID = max(highestPushID ?? 0, pushID) }
                    await inbox.append(frame)
                }
                // One cumulative ACK for the page's pushes (lesson 20): the down channel is ordered.
                if acknowledgePushes, let highestPushID {
                    outbox.enqueue(codec.encode(ClientFrame.pushAcks(upTo: highestPushID)))
                }
                if let reason = page.closed {
                    outbox.closed(reason: reason)
                    await inbox.finish()
                    return
                }
            } catch {
                if Task.isCancelled { break }
                failures += 1
                logger.debug("tunnel poll failed", metadata: ["error": "\(error)", "failures": "\(failures)"])
                if failures > 3 {
                    await inbox.finish(error: error)
                    return
                }
                try? await Task.sleep(for: .milliseconds(200 * failures))
            }
        }
        await inbox.finish()
    }
}

/// Frames waiting to be uploaded, and a signal for the uploader.
final class TunnelOutbox: Sendable {
    private struct State {
        var frames: [String] = []
        var finished = false
        var closeReason: String?
    }

    let maxBatch: Int
    let signals: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation
    private let state = Mutex(State())

    init(maxBatch: Int) {
        self.maxBatch = maxBatch
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        signals = stream
        signal = continuation
    }

    func enqueue(_ frame: String) {
        let accepted = state.withLock { state -> Bool in
            guard !state.finished else { return false }
            state.frames.append(frame)
            return true
        }
        if accepted { signal.yield() }
    }

    /// Up to `maxBatch` frames, oldest first; nil when none wait.
    func takeBatch() -> [String]? {
        state.withLock { state in
            guard !state.frames.isEmpty else { return nil }
            let batch = Array(state.frames.prefix(maxBatch))
            state.frames.removeFirst(batch.count)
            return batch
        }
    }

    /// Stops taking frames; returns false when it had already stopped.
    @discardableResult
    func finish() -> Bool {
        let first = state.withLock { state -> Bool in
            defer { state.finished = true }
            return !state.finished
        }
        signal.finish()
        return first
    }

    func closed(reason: String) {
        state.withLock { $0.closeReason = reason }
    }

    var closeReason: String? { state.withLock { $0.closeReason } }
}
