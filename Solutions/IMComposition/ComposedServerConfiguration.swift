// The IM as shipped: lesson 11's settings, and the settings of every later lesson's extension.

import IMCache
import IMGroup
import IMLiveRoom
import IMObservability
import IMResilience
import IMServer
import IMTunnel
import IMUpload

/// How the shipped IM runs: `server` for lessons 01–11, one field per later lesson. Every field
/// has a default that runs. The server's own fields can be read and set directly
/// (`configuration.port`), as they were before later lessons were added.
@dynamicMemberLookup
public struct ComposedServerConfiguration: Sendable {
    /// Lessons 01–11: the assembled server.
    public var server = IMServerConfiguration()
    /// Lesson 10: tick, per-viewer cap, slow-viewer limits and post rate of live rooms.
    public var liveRoom = LiveRoomConfiguration()
    /// Lesson 12: sends per user, the adaptive concurrency limit and the circuit breaker.
    public var resilience = ResilienceConfiguration()
    /// Lesson 13: idle time-out, longest poll wait and batch size of HTTP tunnel sessions.
    public var tunnel = TunnelConfiguration()
    /// Lesson 14: the largest upload, the quota per user, when unfinished uploads expire.
    public var upload = UploadConfiguration()
    /// Lesson 19: `/metrics`, the OTLP/HTTP endpoint of traces, and which messages are traced.
    public var observability = ObservabilityConfiguration()
    /// Lesson 17: level 1 bounds and TTLs, negative and hot TTLs, Redis addresses (none: level 1 only).
    public var cache = CacheConfiguration()
    /// Lesson 20: the member limit of groups, history pages, when a fan-out skips a slow connection.
    public var group = GroupConfiguration()

    public init() {}

    public subscript<Value>(dynamicMember keyPath: KeyPath<IMServerConfiguration, Value>) -> Value {
        server[keyPath: keyPath]
    }

    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<IMServerConfiguration, Value>) -> Value {
        get { server[keyPath: keyPath] }
        set { server[keyPath: keyPath] = newValue }
    }
}
