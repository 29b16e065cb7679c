// Lesson 08, client side: heartbeats in flight on one connection, each waiting for its pong.

import IMCore

/// Pending heartbeats of one WebSocket, matched to their pongs by request id.
actor HeartbeatPongs {
    private static let prefix = "hb-"
    private var nextNumber = 1
    private var waiting: [String: CheckedContinuation<Bool, Never>] = [:]
    private var answeredEarly: Set<String> = []
    private var finished = false
    private var endWaiters: [Int: CheckedContinuation<Bool, Never>] = [:]
    private var nextEndWaiter = 0

    /// Whether a pong answers a heartbeat (rather than a `ping` the application sent itself).
    static func isHeartbeat(_ ref: String) -> Bool { ref.hasPrefix(prefix) }

    /// A fresh id for the next heartbeat.
    func makeID() -> String {
        defer { nextNumber += 1 }
        return Self.prefix + String(nextNumber)
    }

    /// Waits until the pong of `id` arrives (true), or `timeout` passes or the connection ends (false).
    func wait(for id: String, timeout: Duration) async -> Bool {
        if answeredEarly.remove(id) != nil { return true }
        if finished { return false }
        let timer = Task {
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            self.resolve(id, with: false)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { waiting[id] = $0 }
    }

    func answered(_ id: String) {
        if waiting[id] == nil {
            answeredEarly.insert(id)
        } else {
            resolve(id, with: true)
        }
    }

    /// The connection ended: every heartbeat in flight failed.
    func finish() {
        finished = true
        for continuation in waiting.values { continuation.resume(returning: false) }
        waiting.removeAll()
        for continuation in endWaiters.values { continuation.resume(returning: true) }
        endWaiters.removeAll()
    }

    /// Waits up to `timeout` for the connection to end; true if it ended.
    func waitForEnd(upTo timeout: Duration) async -> Bool {
        if finished { return true }
        let key = nextEndWaiter
        nextEndWaiter += 1
        let timer = Task {
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            self.endWaiters.removeValue(forKey: key)?.resume(returning: false)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { endWaiters[key] = $0 }
    }

    private func resolve(_ id: String, with answer: Bool) {
        waiting.removeValue(forKey: id)?.resume(returning: answer)
    }
}

extension IMWebSocketClient {
    /// Sends one heartbeat (`ping`) and waits for its `pong`: false when none came within
    /// `timeout` or the connection ended — the path is then considered dead.
    public func heartbeat(timeout: Duration) async -> Bool {
        let id = await heartbeats.makeID()
        send(.ping(id: id))
        return await heartbeats.wait(for: id, timeout: timeout)
    }

    /// Waits up to `timeout` for the connection to end (closed by the server, or broken);
    /// returns true if it ended. A heartbeat loop sleeps with this, so a close is seen at once.
    public func waitForClose(upTo timeout: Duration) async -> Bool {
        await heartbeats.waitForEnd(upTo: timeout)
    }
}
