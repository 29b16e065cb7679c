// Lesson 13: every open tunnel session, and the sweep that ends the forgotten ones.
//
// A WebSocket ends when its TCP connection does. A tunnel session has no connection to watch:
// the client just stops polling (the app was killed, the phone lost its network). So the hub
// keeps a clock per session, and a session that nobody has polled for `idleTimeout` is closed
// and taken out of the session map, where it would otherwise keep collecting pushes.

import IMCore
import IMGateway

/// The open tunnel sessions of one server.
public actor TunnelHub {
    public let configuration: TunnelConfiguration
    private var sessions: [String: TunnelSession] = [:]
    private var sweeper: Task<Void, Never>?

    public init(configuration: TunnelConfiguration = TunnelConfiguration()) {
        self.configuration = configuration
    }

    /// How many sessions are open.
    public func count() -> Int { sessions.count }

    /// Opens a session for `identity`, registers it in the session map (replacing an older
    /// connection of the same device) and returns it with its `hello`.
    func open(
        identity: Identity, registry: SessionRegistry, pushTracking: (any PushTrackerFactory)?, responder: FrameResponder
    ) async throws -> (TunnelSession, Hello) {
        let hello = try await responder.hello(for: identity)
        let session = TunnelSession(
            id: Self.makeSessionID(), identity: identity, connection: registry.makeConnectionID(),
            capacity: configuration.maxQueuedFrames)
        let tracker = pushTracking?.makeTracker(
            send: { [weak session] frame in session?.send(frame) },
            giveUp: { [weak session] reason in session?.close(reason: reason) })
        session.attach(tracker: tracker) { [weak self] closed in
            Task {
                await self?.remove(closed.id)
                await registry.unregister(closed.connection, device: closed.identity.deviceID, of: closed.identity.userID)
            }
        }
        sessions[session.id] = session
        startSweeping()
        let entry = SessionEntry(connection: session.connection, device: identity.deviceID, sink: session)
        if let loser = await registry.register(entry, for: identity.userID) {
            // The older of the device's two connections: the one replaced, or this one if it came late.
            loser.sink.close(reason: "replaced by a newer connection of the same device")
        }
        return (session, hello)
    }

    /// The open session `id` of `identity`. Another user's id is answered exactly like an
    /// unknown one, so that ids cannot be probed.
    func session(_ id: String, of identity: Identity) throws -> TunnelSession {
        guard let session = sessions[id], session.identity.userID == identity.userID, session.closedReason == nil else {
            throw IMError.notFound("no such tunnel session")
        }
        return session
    }

    /// Closes every session not polled for `idleTimeout` at `now`.
    public func sweep(now: ContinuousClock.Instant = .now) {
        for session in sessions.values where session.isIdle(now: now, timeout: configuration.idleTimeout) {
            session.close(reason: "tunnel session idle for too long")
            sessions[session.id] = nil
        }
    }

    /// Closes every session (at shutdown the session map does this; tests call it directly).
    public func closeAll(reason: String) {
        for session in sessions.values { session.close(reason: reason) }
        sessions = [:]
    }

    private func remove(_ id: String) {
        sessions[id] = nil
    }

    /// The sweep runs while there are sessions, so an idle server keeps no timer.
    private func startSweeping() {
        guard sweeper == nil else { return }
        let interval = max(min(configuration.idleTimeout / 4, .seconds(5)), .milliseconds(20))
        sweeper = Task { [weak self] in
            while true {
                try? await Task.sleep(for: interval)
                guard let self, await self.sweepOrStop() else { return }
            }
        }
    }

    /// One round of the sweeper; false (and the sweeper forgotten) once no session is left.
    private func sweepOrStop() -> Bool {
        sweep()
        if sessions.isEmpty { sweeper = nil }
        return !sessions.isEmpty
    }

    /// 128 random bits from the system's secure generator: an id cannot be guessed.
    static func makeSessionID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
