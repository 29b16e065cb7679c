// LESSON 12 STARTER, generated from Solutions/IMResilience/FlowControlHandler.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 12: flow control on the frame path — every frame of every transport passes here first.
//
// In order: a `send` over its user's rate is refused `rate_limited` (the user's problem, not
// the server's); then the concurrency limit (non-core frames get only part of it, so they are
// shed first; a later lesson's frame is core when its extension says so, as a group's messages are) and the circuit breaker each refuse at once with `unavailable`; then the rest of
// the chain runs, and how long it took and whether the server failed go back into the limit and
// the breaker. `ping` and `pushAck` are never refused: refusing a heartbeat would make clients
// reconnect (more load), and an unacknowledged push is pushed again (more load).

import IMCore
import IMGateway

/// The `FrameHandler` of `Resilience`.
public struct FlowControlHandler: FrameHandler {
    public let gate: ResilienceGate
    /// The later lessons' frame types that are core (`ServerExtension.coreFrameTypes`).
    public let coreFrameTypes: CoreFrameTypes

    public init(gate: ResilienceGate, coreFrameTypes: CoreFrameTypes = CoreFrameTypes()) {
        self.gate = gate
        self.coreFrameTypes = coreFrameTypes
    }

    public func answer(
        _ frame: ClientFrame, from identity: Identity, connection: ConnectionID, next: () async -> ServerFrame?
    ) async -> ServerFrame? {
        await answer(frame, of: identity.userID, next: next)
    }

    /// Answers `frame` of `user`: refuses it, or runs `next` (the rest of the chain) and learns
    /// from how that went. Tests call it with a made-up `next`.
    public func answer(_ frame: ClientFrame, of user: UserID, next: () async -> ServerFrame?) async -> ServerFrame? {
        guard let priority = priority(of: frame) else { return await next() }
        if case .send = frame, case .refused(let wait) = gate.admitSend(of: user) {
            let seconds = ResilienceGate.wholeSeconds(wait)
            return .error(
                ref: frame.requestID,
                IMError(.rateLimited, "too many messages; try again in \(seconds) s", retryAfter: seconds))
        }
        switch gate.enter(priority) {
        case .failure(let refusal):
            return .error(ref: frame.requestID, refusal)
        case .success(let ticket):
            let reply = await next()
            gate.leave(ticket, failed: Self.serverFailed(reply))
            return reply
        }
    }

    /// What may be refused under overload, and how readily; nil: never refused.
    func priority(of frame: ClientFrame) -> AdaptiveConcurrencyLimit.Priority? {
        switch frame {
        case .ping, .pushAck, .pushAcks: nil
        case .send, .sync: .core
        case .read: .nonCore
        case .extension(let frame): coreFrameTypes.contains(frame.type) ? .core : .nonCore
        }
    }

    /// Whether an answer says the server failed (a store error), as opposed to a refusal of the
    /// client's request (bad argument, forbidden), which says nothing about the server's health.
    static func serverFailed(_ reply: ServerFrame?) -> Bool {
        if case .error(_, let error) = reply { return error.code == .internal || error.code == .unavailable }
        return false
    }
}
