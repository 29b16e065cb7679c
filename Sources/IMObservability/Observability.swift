// LESSON 19 STARTER, generated from Solutions/IMObservability/Observability.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 19: metrics and message traces, joined to the server as two `ServerExtension`s.
//
// `Observability` goes first in the composition: its handler counts and times every frame and
// opens a message's trace before any other lesson sees the frame. `delivery` goes last: it
// answers `send` through lesson 01's logic with the store and the pushes observed. Between them,
// flow control, live rooms, the tunnel and groups run unchanged, inside the message's span.

import Foundation
import HTTPTypes
import Hummingbird
import IMCore
import IMGateway
import Logging
import NIOCore
import OTel
import ServiceLifecycle
import Tracing

/// `GET /metrics`, connection and frame metrics, and the server span of each sampled message.
public struct Observability: ServerExtension {
    public var name: String { "observability" }

    public let configuration: ObservabilityConfiguration
    public let metrics: ServerMetrics
    public let tracer: MessageTracer
    /// Exports finished spans (OTel's batch processor and OTLP/HTTP exporter); nil without an endpoint.
    private let tracingService: (any Service)?
    private let responder = ResponderBox()
    private let chat: ChatService
    private let logger: Logger

    /// Builds the metrics registry and, with `configuration.otlpEndpoint`, the OTLP/HTTP tracer.
    /// `chat` is the server's logic layer, which `delivery` observes.
    public init(configuration: ObservabilityConfiguration, chat: ChatService, logger: Logger = Logger(label: "im.observability"))
        throws
    {
        self.configuration = configuration
        self.chat = chat
        self.logger = logger
        metrics = ServerMetrics(configuration: configuration)
        if let endpoint = configuration.otlpEndpoint {
            var otel = OTel.Configuration.default
            otel.serviceName = configuration.serviceName
            otel.diagnosticLogger = .custom(logger)
            otel.diagnosticLogLevel = .warning
            otel.propagators = [.traceContext]
            otel.logs.enabled = false
            otel.metrics.enabled = false
            // Sampling is this lesson's decision (TraceSampler): what reaches OTel is kept.
            otel.traces.sampler = .alwaysOn
            otel.traces.exporter = .otlp
            otel.traces.otlpExporter.endpoint = endpoint
            otel.traces.otlpExporter.protocol = .httpProtobuf
            otel.traces.batchSpanProcessor.scheduleDelay = configuration.exportDelay
            let (otelTracer, service) = try OTel.makeTracingBackend(configuration: otel)
            tracer = MessageTracer(tracer: otelTracer, sampler: configuration.sampler)
            tracingService = service
        } else {
            tracer = .disabled
            tracingService = nil
        }
    }

    public func frameHandlers(gateway: Gateway) -> [any FrameHandler] {
        [ObservingFrameHandler(metrics: metrics, tracer: tracer, responder: responder)]
    }

    public func addRoutes(to router: Router<IMRequestContext>, context: ServerExtensionContext) {
        // Here, not in frameHandlers(gateway:): the server asks for handlers once per transport.
        context.gateway.connectionEvents.add(ConnectionMeter(metrics: metrics))
        responder.set(context.frameResponder)
        guard configuration.metricsEnabled else { return }
        let metrics = metrics
        // Unauthenticated, as Prometheus scrapes: expose it on a private network only (docs/OBSERVABILITY.md).
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        router.get("metrics/quantiles") { _, _ in
            let latency = metrics.sendLatency
            return Gateway.jsonResponse(
                SendLatencySummary(
                    count: latency.count, p50: latency.quantile(0.5), p90: latency.quantile(0.9), p99: latency.quantile(0.99)))
        }
    }

    public func makeServices(context: ServerExtensionContext) -> [any Service] {
        tracingService.map { [$0] } ?? []
    }

    /// The extension that answers `send` with its store and pushes observed: last in the composition.
    public var delivery: some ServerExtension { TracedDelivery(chat: chat, metrics: metrics, tracer: tracer, logger: logger) }
}

/// `GET /metrics/quantiles`: send latency quantiles estimated from the histogram, in seconds.
public struct SendLatencySummary: Codable, Sendable, Equatable {
    public let count: UInt64
    public let p50: Double?
    public let p90: Double?
    public let p99: Double?
}

/// The second half of lesson 19: `send` answered through the observed logic layer.
struct TracedDelivery: ServerExtension {
    var name: String { "traced-delivery" }
    let chat: ChatService
    let metrics: ServerMetrics
    let tracer: MessageTracer
    let logger: Logger

    func frameHandlers(gateway: Gateway) -> [any FrameHandler] {
        [TracedDeliveryHandler(chat: chat, metrics: metrics, tracer: tracer, logger: logger)]
    }
}
