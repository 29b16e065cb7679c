// Lesson 13: one tunnel session — a connection made of HTTP requests.
//
// To the rest of the server a session is a connection like a WebSocket: it is registered in
// the session map as a `FrameSink`, pushes go into it (tracked by lesson 04's window when the
// server has one), and it is closed when the same device connects again. Inside, the frames
// that a WebSocket would write go to a `DownQueue` that down-polls drain, and the frames that
// a WebSocket would read come in numbered batches, checked by an `UploadLedger`.

import Foundation
import IMCore
import IMGateway
import Synchronization

/// A tunnel session: the `FrameSink` of a client that talks over plain HTTP.
public final class TunnelSession: FrameSink {
    public let id: String
    public let identity: Identity
    public let connection: ConnectionID

    private struct State {
        var queue: DownQueue<ServerFrame>
        var ledger = UploadLedger()
        var tracker: (any PushTracker)?
        /// The one parked down-poll (a newer poll answers an older one at once).
        var parked: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
        var nextPollID: UInt64 = 0
        /// A poll woken (timed out, cancelled) before it had parked: it must not park then.
        var earlyWake: UInt64?
        /// Polls being answered; a session with one is never idle.
        var polling = 0
        var lastActivity: ContinuousClock.Instant
        var closedReason: String?
        /// The batch being applied; the next one waits for it, so frames keep their order.
        var uploadTail: Task<Void, Never>?
        var onClose: (@Sendable (TunnelSession) -> Void)?
    }

    private let state: Mutex<State>

    init(id: String, identity: Identity, connection: ConnectionID, capacity: Int) {
        self.id = id
        self.identity = identity
        self.connection = connection
        state = Mutex(State(queue: DownQueue(capacity: capacity), lastActivity: .now))
    }

    /// Wires what the hub knows: the push tracker (started by the caller) and what closing does.
    func attach(tracker: (any PushTracker)?, onClose: @escaping @Sendable (TunnelSession) -> Void) {
        state.withLock {
            $0.tracker = tracker
            $0.onClose = onClose
        }
    }

    // MARK: FrameSink

    public func send(_ frame: ServerFrame) {
        let (accepted, wake) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard state.closedReason == nil else { return (true, nil) }
            guard state.queue.append(frame) != nil else { return (false, nil) }
            defer { state.parked = nil }
            return (true, state.parked?.continuation)
        }
        wake?.resume()
        if !accepted { close(reason: "too many frames not acknowledged; open a new session and sync") }
    }

    public func push(_ entry: TimelineEntry) {
        let tracker = state.withLock { $0.tracker }
        if let tracker { tracker.push(entry) } else { send(.push(pushID: nil, entry)) }
    }

    /// Ends the session: a parked poll is answered with the reason, later requests get 404.
    public func close(reason: String) {
        let closing = state.withLock { state -> Closing? in
            guard state.closedReason == nil else { return nil }
            state.closedReason = reason
            defer {
                state.parked = nil
                state.tracker = nil
                state.onClose = nil
            }
            return Closing(poll: state.parked?.continuation, tracker: state.tracker, onClose: state.onClose)
        }
        guard let closing else { return }
        closing.poll?.resume()
        closing.tracker?.close()
        closing.onClose?(self)
    }

    /// What closing hands over, to be done outside the lock.
    private struct Closing {
        let poll: CheckedContinuation<Void, Never>?
        let tracker: (any PushTracker)?
        let onClose: (@Sendable (TunnelSession) -> Void)?
    }

    /// Why the session ended, once it has.
    public var closedReason: String? { state.withLock { $0.closedReason } }

    // MARK: Down

    /// Answers a down-poll: acknowledges up to `after`, then returns what is kept after it, at
    /// once if there is something (or the session is closed), otherwise after the next frame or
    /// when `wait` runs out.
    func poll(after: UInt64, limit: Int, wait: Duration) async -> TunnelDownPage.Contents {
        let first = state.withLock { state -> ([DownQueue<ServerFrame>.Item], String?) in
            state.polling += 1
            state.lastActivity = .now
            return (state.queue.take(after: after, limit: limit), state.closedReason)
        }
        defer {
            state.withLock { state in
                state.polling -= 1
                state.lastActivity = .now
            }
        }
        guard first.0.isEmpty, first.1 == nil, wait > .zero else { return .init(items: first.0, closed: first.1) }
        await park(wait: wait)
        return state.withLock { state -> TunnelDownPage.Contents in
            .init(items: state.queue.take(after: after, limit: limit), closed: state.closedReason)
        }
    }

    /// Waits until a frame is queued, the session closes, a newer poll comes, or `wait` passes.
    private func park(wait: Duration) async {
        let id = state.withLock { state -> UInt64 in
            state.nextPollID += 1
            return state.nextPollID
        }
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: wait)) != nil else { return }
            self?.wake(poll: id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let (resumeNow, older) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                    // Something may have come between the first look and now: no lost wake-up.
                    if state.closedReason != nil || state.queue.count > 0 || state.earlyWake == id { return (true, nil) }
                    defer { state.parked = (id, continuation) }
                    return (false, state.parked?.continuation)
                }
                older?.resume()
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            wake(poll: id)
        }
        timer.cancel()
    }

    private func wake(poll id: UInt64) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let parked = state.parked, parked.id == id else {
                state.earlyWake = id
                return nil
            }
            state.parked = nil
            return parked.continuation
        }
        continuation?.resume()
    }

    // MARK: Up

    /// Applies an upload numbered `seq` once, in order after the batches before it. Returns
    /// false for a repeat (nothing done).
    func upload(seq: UInt64, frames: [ClientFrame], responder: FrameResponder) async throws -> Bool {
        let task = try state.withLock { state -> Task<Void, Never>? in
            guard state.closedReason == nil else { throw IMError.notFound("no such tunnel session") }
            state.lastActivity = .now
            switch state.ledger.admit(seq) {
            case .duplicate:
                return nil
            case .outOfOrder(let expected):
                throw IMError(.conflict, "upload \(seq) is out of order; the next upload number is \(expected)")
            case .apply:
                let previous = state.uploadTail
                // Unstructured on purpose: a batch is applied whole even if its request goes away.
                let task = Task {
                    await previous?.value
                    await self.apply(frames, responder: responder)
                }
                state.uploadTail = task
                return task
            }
        }
        guard let task else { return false }
        await task.value
        return true
    }

    private func apply(_ frames: [ClientFrame], responder: FrameResponder) async {
        for frame in frames {
            // An ACK of a push is not a request: nothing is answered.
            switch frame {
            case .pushAck(let pushID):
                state.withLock { $0.tracker }?.acknowledge(pushID)
                continue
            case .pushAcks(let upTo):
                state.withLock { $0.tracker }?.acknowledge(upTo: upTo)
                continue
            default: break
            }
            if let reply = await responder.answer(frame, from: identity, connection: connection) { send(reply) }
        }
    }

    // MARK: Idle

    /// Whether nobody has polled (and no poll is parked) for `timeout`.
    func isIdle(now: ContinuousClock.Instant, timeout: Duration) -> Bool {
        state.withLock { $0.polling == 0 && now - $0.lastActivity >= timeout }
    }
}

extension TunnelDownPage {
    /// What a poll found, before it is encoded.
    struct Contents: Sendable {
        let items: [DownQueue<ServerFrame>.Item]
        let closed: String?
    }
}
