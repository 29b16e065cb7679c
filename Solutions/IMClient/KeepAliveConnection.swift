// Lesson 08, client side: a WebSocket kept alive by an adaptive heartbeat, reconnected when dead.
//
// The loop is the driver of `AdaptiveHeartbeat`: sleep the current interval, send a heartbeat,
// wait for its pong. An answer means the NAT still knows the flow (try longer next time, or
// count towards stable); silence means the path is dead — the flow was dropped, or the network
// went away — so the socket is abandoned and a new one opened, and the search adjusts. A
// settled, stable interval is remembered for the network, so the next connection on it starts
// there without searching. (A production client would also skip a heartbeat when other traffic
// flowed during the interval; this one keeps it simple: every beat is a probe.)

import IMCore
import IMHeartbeat
import Logging

/// A WebSocket to the IM that finds the longest safe heartbeat interval and survives dead paths.
public actor KeepAliveConnection {
    /// One heartbeat sent: after how long, and whether it was answered.
    public struct Beat: Sendable, Equatable {
        public let interval: Duration
        public let answered: Bool

        public init(interval: Duration, answered: Bool) {
            self.interval = interval
            self.answered = answered
        }
    }

    nonisolated public let baseURL: String
    nonisolated public let token: String
    /// Names the network the device is on (Wi-Fi SSID, carrier…); the heartbeat is remembered per network.
    nonisolated public let network: String
    public private(set) var heartbeat: AdaptiveHeartbeat
    public private(set) var memory: HeartbeatMemory
    /// Every heartbeat so far, in order.
    public private(set) var beats: [Beat] = []
    /// How many connections were opened (1 + reconnects).
    public private(set) var connectCount = 0
    /// How many connections ended from the other side (not by a missed heartbeat).
    public private(set) var closedByServer = 0
    /// The live socket (nil while reconnecting).
    public private(set) var socket: IMWebSocketClient?
    private var loop: Task<Void, Never>?
    private let logger: Logger

    public init(
        baseURL: String, token: String, network: String, policy: HeartbeatPolicy = HeartbeatPolicy(),
        memory: HeartbeatMemory = HeartbeatMemory(), logger: Logger = Logger(label: "im-client.keepalive")
    ) {
        self.baseURL = baseURL
        self.token = token
        self.network = network
        self.memory = memory
        self.heartbeat = memory.heartbeat(for: network, policy: policy)
        self.logger = logger
    }

    /// Connects and starts the heartbeat loop.
    public func start() async throws {
        guard loop == nil else { return }
        try await connect()
        loop = Task { await self.run() }
    }

    /// Stops the loop and closes the socket.
    public func stop() {
        loop?.cancel()
        loop = nil
        socket?.close()
        socket = nil
    }

    private func run() async {
        while !Task.isCancelled {
            guard let socket else {
                await reconnect()
                continue
            }
            let interval = heartbeat.interval
            // Sleep the interval, but wake at once if the socket ends: a close by the server (idle
            // sweep, ACK give-up, shutdown, a newer connection) says nothing about the NAT, so
            // the search is left alone and the client just reconnects.
            if await socket.waitForClose(upTo: interval) {
                guard !Task.isCancelled else { return }
                logger.info("connection closed by the server: reconnecting")
                closedByServer += 1
                self.socket = nil
                continue
            }
            guard !Task.isCancelled else { return }
            let answered = await socket.heartbeat(timeout: heartbeat.policy.pongTimeout)
            guard !Task.isCancelled else { return }
            if !answered, await socket.isClosed() {
                // Ended while the heartbeat was out: the same as a close, not a missed pong.
                closedByServer += 1
                self.socket = nil
                continue
            }
            beats.append(Beat(interval: interval, answered: answered))
            if answered {
                heartbeat.didSucceed()
                if heartbeat.isStable { memory.remember(heartbeat.interval, for: network) }
            } else {
                heartbeat.didFail()
                if heartbeat.phase == .probing, heartbeat.lastSurvived == nil { memory.forget(network) }
                logger.info(
                    "heartbeat unanswered: path dead, reconnecting",
                    metadata: ["interval": "\(interval)", "next": "\(heartbeat.interval)"])
                socket.close()
                self.socket = nil
                await reconnect()
            }
        }
    }

    private func connect() async throws {
        socket = try await IMWebSocketClient.connect(baseURL: baseURL, token: token, timeout: .seconds(5))
        connectCount += 1
    }

    /// Tries again with a growing pause (0.2 s doubling to 5 s) until it works or the loop stops.
    private func reconnect() async {
        var pause: Duration = .milliseconds(200)
        while !Task.isCancelled {
            do {
                try await connect()
                return
            } catch {
                logger.debug("reconnect failed", metadata: ["error": "\(error)"])
                guard (try? await Task.sleep(for: pause)) != nil else { return }
                pause = min(pause * 2, .seconds(5))
            }
        }
    }
}
