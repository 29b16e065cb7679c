// Lesson 19: the first word on every frame: count it, time it, and open its message's trace.
//
// This handler is first in the composition, so it sees every frame on every transport before
// flow control may refuse it, and every answer after. A `trace.send` is opened here: its
// `traceparent` becomes the parent of the server's span, and the send it carries is asked of the
// whole chain again, as a plain `send` inside that span (so flow control limits it as any send).

import Foundation
import IMCore
import IMGateway
import Logging
import Synchronization
import Tracing

/// Counts frames in and out by type, times sends, and starts the server span of a sampled message.
struct ObservingFrameHandler: FrameHandler {
    let metrics: ServerMetrics
    let tracer: MessageTracer
    let responder: ResponderBox

    /// Set while a `trace.send` is asked again as a `send`: counted and timed once, by the outer ask.
    @TaskLocal static var isReasked = false

    func answer(
        _ frame: ClientFrame, from identity: Identity, connection: ConnectionID, next: () async -> ServerFrame?
    ) async -> ServerFrame? {
        if Self.isReasked { return await next() }
        let start = ContinuousClock.now
        let answer: ServerFrame?
        var isSend = false
        switch frame {
        case .extension(let request) where request.type == TracedSendRequest.frameType:
            isSend = true
            answer = await tracedSend(request, from: identity, connection: connection)
        case .send:
            isSend = true
            answer = await rootSpan(for: identity, answer: next)
        default:
            answer = await next()
        }
        if isSend { metrics.recordSend(ContinuousClock.now - start) }
        // A dotted type nobody handles is client input: it gets no series of its own.
        if case .error(_, let error)? = answer, error.code == .unknownType {
            metrics.countFrame("unknown", .received)
        } else {
            metrics.countFrame(frame.typeName, .received)
        }
        if let answer { metrics.countFrame(answer.typeName, .sent) }
        return answer
    }

    /// A `trace.send`: the client's trace context becomes the parent of the server's span.
    private func tracedSend(_ request: ExtensionFrame, from identity: Identity, connection: ConnectionID) async
        -> ServerFrame?
    {
        let payload: TracedSendRequest
        do {
            payload = try request.payload(TracedSendRequest.self)
        } catch {
            return .error(ref: request.id, IMError(describing: error))
        }
        guard let parent = TraceParent(header: payload.traceparent) else {
            return .error(
                ref: request.id,
                .badFrame("`traceparent` is not a W3C trace context (00-<32 hex>-<16 hex>-<2 hex>, ids not all zero)"))
        }
        let reask: () async -> ServerFrame? = {
            await Self.$isReasked.withValue(true) {
                await responder.answer(.send(id: request.id, payload.send), from: identity, connection: connection)
            }
        }
        guard tracer.isEnabled, tracer.sampler.shouldSample(.uplink, user: identity.userID, traceIDLowBits: parent.traceIDLowBits)
        else { return await reask() }
        return await serverSpan(context: tracer.context(continuing: parent), identity: identity, requestID: request.id, reask)
    }

    /// A plain `send`: a new trace, when the uplink rate picks it.
    private func rootSpan(for identity: Identity, answer next: () async -> ServerFrame?) async -> ServerFrame? {
        guard tracer.isEnabled,
            tracer.sampler.shouldSample(.uplink, user: identity.userID, traceIDLowBits: UInt64.random(in: .min ... .max))
        else { return await next() }
        return await serverSpan(context: .topLevel, identity: identity, requestID: nil, next)
    }

    /// The server's span of one send, around everything the chain does with it.
    private func serverSpan(
        context: ServiceContext, identity: Identity, requestID: String?, _ body: () async -> ServerFrame?
    ) async -> ServerFrame? {
        await tracer.tracer.withAnySpan("im.gateway.send", context: context, ofKind: .server) { span in
            span.attributes["im.frame.type"] = "send"
            span.attributes["im.user.id"] = Int(identity.userID.rawValue)
            span.attributes["im.device.id"] = identity.deviceID.description
            if let requestID { span.attributes["im.request.id"] = requestID }
            let answer = await MessageTracer.$current.withValue(tracer.traceParent(of: span.context)) { await body() }
            switch answer {
            case .ack(_, let message)?:
                span.attributes["im.message.id"] = message.id.description
            case .error(_, let error)?:
                span.attributes["im.error.code"] = error.code.rawValue
                span.setStatus(SpanStatus(code: .error, message: error.message))
            default: break
            }
            return answer
        }
    }
}

/// The server's frame responder, known once the routes are added (after the handlers were made).
final class ResponderBox: Sendable {
    private let responder = Mutex<FrameResponder?>(nil)

    func set(_ value: FrameResponder) { responder.withLock { $0 = value } }

    func answer(_ frame: ClientFrame, from identity: Identity, connection: ConnectionID) async -> ServerFrame? {
        guard let responder = responder.withLock({ $0 }) else {
            return .error(ref: frame.requestID, IMError(.internal, "the server is not started"))
        }
        return await responder.answer(frame, from: identity, connection: connection)
    }
}

extension ClientFrame {
    /// The wire `type` of this frame, as a metric label.
    var typeName: String {
        switch self {
        case .send: "send"
        case .read: "read"
        case .ping: "ping"
        case .pushAck, .pushAcks: "pushAck"
        case .sync: "sync"
        case .extension(let frame): frame.type
        }
    }
}

extension ServerFrame {
    /// The wire `type` of this frame, as a metric label.
    var typeName: String {
        switch self {
        case .hello: "hello"
        case .ack: "ack"
        case .push: "push"
        case .sync: "sync"
        case .read: "read"
        case .pong: "pong"
        case .error: "error"
        case .extension(let type, _, _): type
        }
    }
}
