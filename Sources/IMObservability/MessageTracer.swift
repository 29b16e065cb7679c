// LESSON 19 STARTER, generated from Solutions/IMObservability/MessageTracer.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 19: spans of one message's journey, and the trace context moved in and out of them.
//
// The server's spans are children of the client's: the `traceparent` read from the frame is
// turned into the parent context (the tracer's W3C propagator), and every span started while a
// message is handled finds its parent in the task-local `ServiceContext`, so the store and the
// pushes need no parameter to join the trace. When tracing is off (no OTLP endpoint) the tracer
// is a no-op and nothing is allocated per message.

import IMCore
import Instrumentation
import Tracing

/// The tracer of the server with its sampling policy.
public struct MessageTracer: Sendable {
    public let tracer: any Tracer
    public let sampler: TraceSampler
    /// False with the no-op tracer: callers skip building attributes.
    public let isEnabled: Bool

    public init(tracer: any Tracer, sampler: TraceSampler, isEnabled: Bool = true) {
        self.tracer = tracer
        self.sampler = sampler
        self.isEnabled = isEnabled
    }

    /// Tracing off.
    public static let disabled = MessageTracer(tracer: NoOpTracer(), sampler: TraceSampler(), isEnabled: false)

    /// Set while a sampled message is handled: the trace parent of the current span.
    @TaskLocal static var current: TraceParent?

    /// The context that makes `parent` (read from a frame) the parent of the next span.
    func context(continuing parent: TraceParent) -> ServiceContext {
        var context = ServiceContext.topLevel
        tracer.extract(["traceparent": parent.header], into: &context, using: HeaderExtractor())
        return context
    }

    /// The trace parent of `context` as the tracer writes it, for logs and the next hop.
    func traceParent(of context: ServiceContext) -> TraceParent? {
        var headers: [String: String] = [:]
        tracer.inject(context, into: &headers, using: HeaderInjector())
        return headers["traceparent"].flatMap(TraceParent.init(header:))
    }

    /// Runs `operation` in a span named `name`, a child of the current one, when a sampled message
    /// is being handled (and `user`'s leg of `direction` is sampled); otherwise just runs it.
    func withChildSpan<T>(
        _ name: String, kind: SpanKind = .internal, direction: TraceDirection = .uplink, user: UserID? = nil,
        _ operation: (any Span) async throws -> T
    ) async rethrows -> T {
        guard let current = Self.current else { return try await operation(NoOpTracer.NoOpSpan(context: .topLevel)) }
        if direction == .downlink, let user,
            !sampler.shouldSample(.downlink, user: user, traceIDLowBits: current.traceIDLowBits)
        {
            return try await operation(NoOpTracer.NoOpSpan(context: .topLevel))
        }
        return try await tracer.withAnySpan(name, context: ServiceContext.current ?? .topLevel, ofKind: kind) { span in
            let parent = traceParent(of: span.context) ?? current
            return try await Self.$current.withValue(parent) { try await operation(span) }
        }
    }
}

/// Reads headers from a dictionary (the frame's trace fields).
struct HeaderExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

/// Writes headers into a dictionary.
struct HeaderInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}
