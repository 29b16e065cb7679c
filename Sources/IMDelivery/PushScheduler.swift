// LESSON 04 STARTER, generated from Solutions/IMDelivery/PushScheduler.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 04: the window driven by a clock — its own, or the server's shared one.

import Synchronization

/// Runs a `PushWindow` against the real clock: sends, re-sends on time, gives up when told.
///
/// `send` writes a push to the connection (first time and re-pushes alike); `giveUp` is called
/// once when a push ran out of retries (the owner closes the connection). The clock is either a
/// `PushTimer` shared by every connection (the server's way), or `run()`, a timer task of this
/// scheduler alone that returns when the scheduler is closed.
public final class PushScheduler<Payload: Sendable>: PushTimerClient {
    private struct State {
        var window: PushWindow<Payload>
        /// The timer's current sleep, cut short by `close()`.
        var sleep: Task<Void, Never>?
        var closed = false
    }

    private let state: Mutex<State>
    /// `run()` parks here while nothing is pending.
    private let wakeup = Wakeup()
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private let send: @Sendable (UInt64, Payload) -> Void
    private let giveUp: @Sendable ([UInt64]) -> Void
    private let timer: PushTimer?

    /// - Parameter timer: the shared clock that ticks this window while pushes wait; nil when
    ///   the caller runs `run()`.
    public init(
        policy: RetryPolicy, timer: PushTimer? = nil, send: @escaping @Sendable (UInt64, Payload) -> Void,
        giveUp: @escaping @Sendable ([UInt64]) -> Void
    ) {
        state = Mutex(State(window: PushWindow(policy: policy)))
        start = clock.now
        self.timer = timer
        self.send = send
        self.giveUp = giveUp
    }

    private var now: Duration { clock.now - start }

    /// Pushes `payload` (it gets the next push id) and starts waiting for its ACK.
    public func push(_ payload: Payload) {
        let now = now
        let id = state.withLock { state -> UInt64? in
            state.closed ? nil : state.window.push(payload, now: now)
        }
        guard let id else { return }
        send(id, payload)
        wakeup.wake()
        timer?.watch(self)
    }

    /// The client acknowledged `pushID`.
    @discardableResult
    public func acknowledge(_ pushID: UInt64) -> Bool {
        state.withLock { $0.window.acknowledge(pushID) }
    }

    /// The client acknowledged every push up to `pushID` (one frame for a burst); returns how many it settled.
    @discardableResult
    public func acknowledge(upTo pushID: UInt64) -> Int {
        state.withLock { $0.window.acknowledge(upTo: pushID) }
    }

    /// How many pushes wait for an ACK.
    public var pendingCount: Int { state.withLock { $0.window.pendingCount } }

    public var hasPending: Bool { state.withLock { !$0.closed && $0.window.pendingCount > 0 } }

    /// Re-sends what is overdue now, or gives the connection up; returns whether pushes still wait.
    public func tick() -> Bool {
        let now = now
        let actions = state.withLock { $0.closed ? [] : $0.window.tick(now: now) }
        for action in actions {
            switch action {
            case .resend(let id, let payload): send(id, payload)
            case .giveUp(let ids):
                // The connection is given up once; whatever else is pending goes with it.
                state.withLock { $0.closed = true }
                giveUp(ids)
                return false
            }
        }
        return hasPending
    }

    /// Stops the timer; later pushes are ignored.
    public func close() {
        let sleep = state.withLock { state -> Task<Void, Never>? in
            state.closed = true
            return state.sleep
        }
        wakeup.wake()
        // A closed connection's timer must end now, not at its next deadline (up to 5 s later).
        sleep?.cancel()
    }

    /// Sleeps for `wait`, or until `close()` or cancellation, whichever comes first.
    private func pause(for wait: Duration) async {
        let sleep = Task { _ = try? await Task.sleep(for: wait) }
        let closed = state.withLock { state -> Bool in
            state.sleep = sleep
            return state.closed
        }
        if closed { sleep.cancel() }
        await withTaskCancellationHandler {
            await sleep.value
        } onCancel: {
            sleep.cancel()
        }
    }

    /// The timer loop: sleeps until the next deadline (or a new push), then ticks the window.
    public func run() async {
        while !Task.isCancelled {
            let (closed, deadline) = state.withLock { ($0.closed, $0.window.nextDeadline) }
            if closed { return }
            if let deadline {
                let wait = deadline - now
                if wait > .zero { await pause(for: wait) }
                if Task.isCancelled { return }
                _ = tick()
            } else {
                // Nothing pending: park until the next push or close.
                await wakeup.park { self.state.withLock { $0.closed || $0.window.pendingCount > 0 } }
            }
        }
    }
}
