// The client library of the IM: a connection that finds its way through the network (lesson 13).
//
// It carries out `TransportSelector`'s decisions: races the endpoints (WebSocket first, the HTTP
// tunnel after), keeps the first that says hello, falls back to the tunnel when WebSocket is
// refused or cut, and moves back when a re-probe gets through. Across every switch it keeps
// the user's timeline whole: entries go through a reorder buffer (lesson 05) by version, and
// each new connection starts with a `sync` from the last version applied (lesson 09), so what
// was in flight on the old connection is fetched again and nothing is shown twice. Sends carry
// a client message id and are retried on whatever connection is current (lesson 04).

import IMCore
import IMSequence
import IMTunnel
import Logging

/// A client connection that races and switches transports, and delivers messages once and in order.
public actor IMAdaptiveClient {
    /// Why the client moved to an endpoint, and when (since it started).
    public struct Switch: Sendable, Hashable {
        public let endpoint: TransportEndpoint
        public let at: Duration
    }

    nonisolated public let token: String
    private var selector: TransportSelector
    private let attemptTimeout: Duration
    private let tunnelPollWait: Duration
    private let logger: Logger
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant

    private var current: (endpoint: TransportEndpoint, transport: any IMTransport)?
    private var attempts: [TransportEndpoint: Task<Void, Never>] = [:]
    private var timer: Task<Void, Never>?
    private var timeline: ReorderBuffer<TimelineEntry>?
    /// Messages released in order and not read yet, and the reader waiting for one.
    private var ready: [Message] = []
    private var readyWaiter: CheckedContinuation<Void, Never>?
    private var closed = false
    private var pendingAcks: [String: CheckedContinuation<Message, any Error>] = [:]
    private var nextRequest = 0
    /// Every adoption, oldest first (what tests and logs look at).
    public private(set) var switches: [Switch] = []

    /// - Parameters:
    ///   - endpoints: where the server is, in order of preference (WebSocket ones first).
    ///   - startVersion: the timeline version already applied; nil starts from the first hello's.
    public init(
        endpoints: [TransportEndpoint], token: String, policy: TransportSelectorPolicy = TransportSelectorPolicy(),
        attemptTimeout: Duration = .seconds(10), tunnelPollWait: Duration = .seconds(20), startVersion: Int64? = nil,
        logger: Logger = Logger(label: "im-client.adaptive")
    ) {
        self.token = token
        selector = TransportSelector(endpoints: endpoints, policy: policy)
        self.attemptTimeout = attemptTimeout
        self.tunnelPollWait = tunnelPollWait
        self.logger = logger
        started = clock.now
        timeline = startVersion.map { ReorderBuffer(after: $0) }
    }

    /// The endpoint in use, if connected.
    public var endpoint: TransportEndpoint? { current?.endpoint }

    /// The version up to which the timeline has been delivered.
    public var version: Int64? { timeline?.position }

    /// Starts racing the endpoints; returns at once (see `waitForConnection`).
    public func start() {
        perform(selector.start(now: now))
    }

    /// Waits until a transport is in use; false after `timeout`.
    public func waitForConnection(timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = clock.now + timeout
        while current == nil {
            guard clock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Stops everything and closes the connection.
    public func close() {
        perform(selector.stop())
        timer?.cancel()
        current?.transport.close()
        current = nil
        for continuation in pendingAcks.values { continuation.resume(throwing: IMClientError.closed) }
        pendingAcks = [:]
        closed = true
        wakeReader()
    }

    // MARK: Messages

    /// Sends a message and returns it as stored. Retried with the same `clientMsgID` on the
    /// current connection (whichever it is by then) until acknowledged or `timeout` passes.
    public func send(to recipient: UserID, body: String, clientMsgID: String, timeout: Duration = .seconds(30))
        async throws -> Message
    {
        let deadline = clock.now + timeout
        while clock.now < deadline {
            guard let transport = current?.transport else {
                try await Task.sleep(for: .milliseconds(20))
                continue
            }
            nextRequest += 1
            let requestID = "s\(nextRequest)"
            transport.send(.send(id: requestID, SendRequest(to: recipient, body: body, clientMsgID: clientMsgID)))
            let attempt = min(Duration.seconds(5), deadline - clock.now)
            let timer = Task { [weak self] in
                guard (try? await Task.sleep(for: attempt)) != nil else { return }
                await self?.fail(requestID, IMClientError.timedOut("the ACK of \(clientMsgID)"))
            }
            defer { timer.cancel() }
            do {
                return try await withCheckedThrowingContinuation { pendingAcks[requestID] = $0 }
            } catch IMClientError.server(let status, let error) {
                // Lesson 12: refused for now (over the rate, or the server overloaded). Wait what it
                // asks, plus up to half again at random so refused clients do not come back
                // together, then send again with the same clientMsgID. Any other refusal is final.
                guard let wait = serverBackOff(error), clock.now + wait < deadline else {
                    throw IMClientError.server(status: status, error)
                }
                try await Task.sleep(for: wait)
            } catch {
                continue  // lost with its connection, or no ACK in time: send again, same clientMsgID
            }
        }
        throw IMClientError.timedOut("the ACK of \(clientMsgID)")
    }

    /// The next message of the user's timeline, in version order, each once.
    public func nextMessage(timeout: Duration = .seconds(10)) async throws -> Message {
        let deadline = clock.now + timeout
        while ready.isEmpty {
            if closed { throw IMClientError.closed }
            guard clock.now < deadline else { throw IMClientError.timedOut("a message") }
            let timer = Task { [weak self] in
                guard (try? await Task.sleep(until: deadline)) != nil else { return }
                await self?.wakeReader()
            }
            await withCheckedContinuation { readyWaiter = $0 }
            timer.cancel()
        }
        return ready.removeFirst()
    }

    private func wakeReader() {
        readyWaiter?.resume()
        readyWaiter = nil
    }

    // MARK: Driving the selector

    private var now: Duration { clock.now - started }

    private func perform(_ actions: [TransportSelectorAction]) {
        for action in actions {
            switch action {
            case .attempt(let endpoint):
                attempts[endpoint] = Task { [weak self, token, attemptTimeout, tunnelPollWait] in
                    do {
                        let transport = try await Self.connect(
                            endpoint, token: token, timeout: attemptTimeout, pollWait: tunnelPollWait)
                        if let self { await self.succeeded(endpoint, transport) } else { transport.close() }
                    } catch {
                        await self?.failed(endpoint, error)
                    }
                }
            case .cancel(let endpoint):
                attempts.removeValue(forKey: endpoint)?.cancel()
            case .adopt:
                break  // done in `succeeded`, which has the connection
            }
        }
        scheduleTick()
    }

    private func succeeded(_ endpoint: TransportEndpoint, _ transport: any IMTransport) {
        attempts[endpoint] = nil
        let actions = selector.succeeded(endpoint, now: now)
        if actions.contains(.adopt(endpoint)) {
            adopt(endpoint, transport)
        } else {
            transport.close()  // a late loser
        }
        perform(actions)
    }

    private func failed(_ endpoint: TransportEndpoint, _ error: any Error) {
        attempts[endpoint] = nil
        logger.debug("transport attempt failed", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"])
        perform(selector.failed(endpoint, now: now))
    }

    private func tick() {
        perform(selector.tick(now: now))
    }

    private func scheduleTick() {
        timer?.cancel()
        timer = nil
        guard let deadline = selector.nextDeadline else { return }
        let wake = started + deadline
        timer = Task { [weak self] in
            guard (try? await Task.sleep(until: wake)) != nil else { return }
            await self?.tick()
        }
    }

    private func adopt(_ endpoint: TransportEndpoint, _ transport: any IMTransport) {
        let previous = current
        current = (endpoint, transport)
        switches.append(Switch(endpoint: endpoint, at: now))
        logger.debug("transport adopted", metadata: ["endpoint": "\(endpoint)"])
        if timeline == nil { timeline = ReorderBuffer(after: transport.hello.version ?? 0) }
        // The old connection keeps being read until it ends: what it still brings is merged.
        previous?.transport.close()
        Task { [weak self] in
            while let frame = try? await transport.next(timeout: .seconds(3600)) {
                await self?.handle(frame, from: transport)
            }
            await self?.ended(endpoint, transport)
        }
        // Whatever was in flight on the old connection is pulled again.
        requestSync(on: transport)
    }

    private func ended(_ endpoint: TransportEndpoint, _ transport: any IMTransport) {
        guard let current, current.transport === transport else { return }
        self.current = nil
        // Requests sent on it will not be answered there; their senders retry.
        let waiting = pendingAcks
        pendingAcks = [:]
        for continuation in waiting.values { continuation.resume(throwing: IMClientError.closed) }
        perform(selector.lost(endpoint, now: now))
    }

    // MARK: Frames

    private func handle(_ frame: ServerFrame, from transport: any IMTransport) {
        switch frame {
        case .push(_, let entry):
            receive([entry])
            if timeline?.gap != nil, let current = current?.transport { requestSync(on: current) }
        case .sync(_, let page) where page.reset != nil:
            // Too far behind: the entries are no longer kept. Continue from the head; the skipped
            // messages are in history (an app rebuilds from it, as `IMDevice` does).
            skip(to: page.head)
        case .sync(_, let page):
            receive(page.entries)
            if page.hasMore, let current = current?.transport { requestSync(on: current) }
        case .ack(let ref?, let message):
            pendingAcks.removeValue(forKey: ref)?.resume(returning: message)
        case .error(let ref?, let error):
            pendingAcks.removeValue(forKey: ref)?.resume(throwing: IMClientError.server(status: 0, error))
        default:
            break
        }
    }

    private func receive(_ entries: [TimelineEntry]) {
        guard var buffer = timeline else { return }
        var released: [TimelineEntry] = []
        for entry in entries { released += buffer.offer(entry, at: entry.version, after: entry.prevVersion) }
        timeline = buffer
        ready += released.compactMap(\.message)
        if !ready.isEmpty { wakeReader() }
    }

    private func skip(to head: Int64) {
        guard var buffer = timeline else { return }
        ready += buffer.skip(to: head).compactMap(\.message)
        timeline = buffer
        if !ready.isEmpty { wakeReader() }
    }

    private func requestSync(on transport: any IMTransport) {
        nextRequest += 1
        transport.send(.sync(id: "sync\(nextRequest)", SyncRequest(after: timeline?.position ?? 0)))
    }

    private func fail(_ requestID: String, _ error: any Error) {
        pendingAcks.removeValue(forKey: requestID)?.resume(throwing: error)
    }

    private static func connect(
        _ endpoint: TransportEndpoint, token: String, timeout: Duration, pollWait: Duration
    ) async throws -> any IMTransport {
        switch endpoint.kind {
        case .webSocket:
            try await IMWebSocketClient.connect(baseURL: endpoint.baseURL, token: token, timeout: timeout)
        case .tunnel:
            try await IMTunnelClient.open(baseURL: endpoint.baseURL, token: token, pollWait: pollWait, timeout: timeout)
        }
    }
}
