// Lesson 19: the metrics an operator of the IM reads, named as Prometheus expects.
//
// Names: `im_` prefix, snake case, a unit suffix (`_seconds`), `_total` on counters; labels only
// with a few values (a frame type the server knows, never a user id). The handles are made once
// here through swift-metrics, with the Prometheus factory passed in (no global bootstrap, so
// several servers in one test process each have their own registry); the hot path only bumps them.

import CoreMetrics
import Metrics
import Prometheus
import Synchronization

/// Every metric of the server, on one Prometheus registry.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    /// Open WebSocket connections.
    let connections: CoreMetrics.Meter
    let connectionsOpened: CoreMetrics.Counter
    /// Latency from a `send` frame's arrival to its answer (ACK or error).
    let sendDuration: CoreMetrics.Timer
    let storeDuration: CoreMetrics.Timer
    let storeErrors: CoreMetrics.Counter
    let pushes: CoreMetrics.Counter
    /// Users pushed per stored message.
    let pushFanout: CoreMetrics.Recorder
    /// Frames in and out, one counter per type, made on first use (types are a bounded set).
    private let frameCounters = Mutex<[String: CoreMetrics.Counter]>([:])
    /// The send latencies again, for the quantile estimate of `GET /metrics/quantiles`.
    private let sendHistogram: Mutex<LatencyHistogram>

    /// At most this many distinct frame types per direction get their own series.
    static let maxFrameTypes = 64

    public init(configuration: ObservabilityConfiguration = ObservabilityConfiguration()) {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        let durations = configuration.latencyBuckets.map { Duration.nanoseconds(Int64($0 * 1e9)) }
        factory.defaultDurationHistogramBuckets = durations
        factory.defaultValueHistogramBuckets = configuration.fanoutBuckets
        self.factory = factory
        connections = CoreMetrics.Meter(label: "im_connections", dimensions: [("transport", "websocket")], factory: factory)
        connectionsOpened = CoreMetrics.Counter(
            label: "im_connections_opened_total", dimensions: [("transport", "websocket")], factory: factory)
        sendDuration = CoreMetrics.Timer(label: "im_send_duration_seconds", factory: factory)
        storeDuration = CoreMetrics.Timer(label: "im_store_duration_seconds", factory: factory)
        storeErrors = CoreMetrics.Counter(label: "im_store_errors_total", factory: factory)
        pushes = CoreMetrics.Counter(label: "im_pushes_total", factory: factory)
        pushFanout = CoreMetrics.Recorder(label: "im_push_fanout_users", aggregate: true, factory: factory)
        sendHistogram = Mutex(LatencyHistogram(upperBounds: configuration.latencyBuckets))
    }

    /// Counts one frame of `type` in `direction` (`received` or `sent`).
    func countFrame(_ type: String, _ direction: FrameDirection) {
        let key = "\(direction.rawValue) \(type)"
        let counter = frameCounters.withLock { counters -> CoreMetrics.Counter in
            if let counter = counters[key] { return counter }
            let label = counters.count < Self.maxFrameTypes * 2 ? type : "other"
            let counter = CoreMetrics.Counter(
                label: "im_frames_\(direction.rawValue)_total", dimensions: [("type", label)], factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    func recordSend(_ duration: Duration) {
        sendDuration.recordNanoseconds(duration.nanoseconds)
        let seconds = Double(duration.nanoseconds) / 1e9
        sendHistogram.withLock { $0.record(seconds) }
    }

    /// The send latency histogram as recorded so far.
    public var sendLatency: LatencyHistogram { sendHistogram.withLock { $0 } }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(4_096)
        registry.emit(into: &buffer)
        return buffer
    }
}

/// Frames counted as received from or sent to clients.
enum FrameDirection: String, Sendable {
    case received, sent
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
