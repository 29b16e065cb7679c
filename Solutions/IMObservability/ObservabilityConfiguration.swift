// Lesson 19: the settings of metrics and tracing (im-server: --metrics, --otlp-endpoint,
// --trace-uplink-rate, --trace-downlink-rate, --trace-user).

import IMCore

/// Whether `/metrics` is served, where spans are exported, and which messages are traced.
public struct ObservabilityConfiguration: Sendable {
    /// Serve `GET /metrics` (Prometheus text) and `GET /metrics/quantiles`.
    public var metricsEnabled = true
    /// The OTLP/HTTP traces URL, e.g. `http://127.0.0.1:4318/v1/traces`; nil: no tracing at all.
    public var otlpEndpoint: String? = nil
    /// Which messages are traced (the field: uplink 100 %, downlink 1 %, chosen users 100 %).
    public var sampler = TraceSampler()
    /// The service name spans are exported under.
    public var serviceName = "im-server"
    /// How long finished spans wait to be exported together (OTel's batch processor).
    public var exportDelay: Duration = .seconds(1)
    /// Buckets of the latency histograms, in seconds.
    public var latencyBuckets: [Double] = LatencyHistogram.defaultBounds
    /// Buckets of the push fan-out histogram (devices' users per message).
    public var fanoutBuckets: [Double] = [1, 2, 5, 10, 50, 100, 500, 1_000, 5_000]

    public init() {}
}
