// swift-tools-version:6.2
// The IM course: 22 lessons that build a real instant-messaging back end in Swift.
// Read README.md first. Lesson code lives in Solutions/ (the reference) and Sources/ (your copy).

import PackageDescription

// MARK: - Lessons you have started

// The lessons listed here build from YOUR code in Sources/; every other lesson builds from the
// reference in Solutions/. `swift run course start N` and `course reset N` edit this line.
let startedLessons: Set<Int> = []

// CI and scripts may override the line above without editing it: IM_LESSONS=all, or IM_LESSONS=1,3.
let lessonsFromSources: Set<Int> = {
    guard let override = Context.environment["IM_LESSONS"], !override.isEmpty else { return startedLessons }
    if override == "all" { return Set(1...22) }
    if override == "none" { return [] }
    return Set(override.split(separator: ",").compactMap { Int($0.filter { $0 != " " }) })
}()

/// Where a lesson module's code is read from.
func lessonPath(_ lesson: Int, _ module: String) -> String {
    (lessonsFromSources.contains(lesson) ? "Sources/" : "Solutions/") + module
}

// MARK: - Settings shared by every target

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    // A file sees the members of a module only when it imports that module itself, so every
    // target's dependency list below is what its files actually import (as Hummingbird does).
    .enableUpcomingFeature("MemberImportVisibility"),
]

// MARK: - Package

let package = Package(
    name: "swift-im-course",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "im-server", targets: ["im-server"]),
        .executable(name: "im-client", targets: ["im-client"]),
        .executable(name: "im-faults", targets: ["im-faults"]),
        .executable(name: "im-bench", targets: ["im-bench"]),
        .executable(name: "course", targets: ["course"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        // Lesson 06: already in the graph through async-http-client; named here because IMSecurity uses them.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        // Lesson 19: metrics and traces. swift-metrics and swift-distributed-tracing already came in
        // with Hummingbird; swift-otel is built with its OTLP/HTTP exporter only (no gRPC).
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/swift-otel/swift-otel.git", exact: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // MARK: Lesson modules (switchable between Solutions/ and Sources/)

        // Exercise markers shared by every lesson (`throw Exercise.notImplemented(...)`).
        .target(name: "CourseSupport", path: "Solutions/CourseSupport", swiftSettings: swiftSettings),

        // 01 Architecture: domain model, wire frames, access/logic split, in-memory relay.
        .target(
            name: "IMCore",
            dependencies: ["CourseSupport"],
            path: lessonPath(1, "IMCore"),
            swiftSettings: swiftSettings
        ),
        // 02 Send/receive architecture: durable SQLite store, per-user index, recent contacts.
        .target(
            name: "IMStore",
            dependencies: ["IMCore", "CourseSupport", .product(name: "GRDB", package: "GRDB.swift")],
            path: lessonPath(2, "IMStore"),
            swiftSettings: swiftSettings
        ),
        // 03 Polling and long connections: HTTP API, short/long polling, WebSocket, session map.
        .target(
            name: "IMGateway",
            dependencies: [
                "IMCore", "CourseSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: lessonPath(3, "IMGateway"),
            swiftSettings: swiftSettings
        ),

        // 04 ACK: uplink ACK after durability and de-duplication of retries, downlink push window with timed re-push.
        .target(
            name: "IMDelivery",
            dependencies: [
                "IMCore", "IMStore", "CourseSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: lessonPath(4, "IMDelivery"),
            swiftSettings: swiftSettings
        ),
        // 05 Sequence generator: seqsvr-style allocation in persisted steps, client reorder buffer.
        .target(
            name: "IMSequence",
            dependencies: ["CourseSupport", .product(name: "GRDB", package: "GRDB.swift")],
            path: lessonPath(5, "IMSequence"),
            swiftSettings: swiftSettings
        ),
        // 06 HttpDNS and TLS: TLS settings and key pins, signed session tokens, HttpDNS directory and resolver.
        .target(
            name: "IMSecurity",
            dependencies: [
                "IMCore", "IMGateway", "CourseSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: lessonPath(6, "IMSecurity"),
            swiftSettings: swiftSettings
        ),
        // 07 Unread counts: per-conversation and total unread changed in one atomic step.
        .target(
            name: "IMUnread",
            dependencies: ["IMCore", "CourseSupport", .product(name: "GRDB", package: "GRDB.swift")],
            path: lessonPath(7, "IMUnread"),
            swiftSettings: swiftSettings
        ),
        // 08 Smart heartbeat: server idle sweep, client heartbeat that adapts to the NAT timeout.
        .target(
            name: "IMHeartbeat",
            dependencies: [
                "IMCore", "CourseSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: lessonPath(8, "IMHeartbeat"),
            swiftSettings: swiftSettings
        ),
        // 09 Multi-device roaming: per-user version timeline, sync from a version, capped offline store.
        .target(
            name: "IMSync",
            dependencies: [
                "IMCore", "CourseSupport", "IMStore", "IMDelivery", "IMSequence", "IMUnread",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: lessonPath(9, "IMSync"),
            swiftSettings: swiftSettings
        ),

        // 10 Live rooms at peak: rooms kept at the gateway, one batch per room per tick, per-viewer
        // cap with priorities, slow viewers skipped, posts rate-limited, load-ordered HttpDNS.
        .target(
            name: "IMLiveRoom",
            dependencies: [
                "IMCore", "IMGateway", "IMSecurity", "CourseSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: lessonPath(10, "IMLiveRoom"),
            swiftSettings: swiftSettings
        ),

        // 12 Flow control and circuit breaking: rate limiters, circuit breaker, adaptive concurrency limit.
        .target(
            name: "IMResilience",
            dependencies: [
                "IMCore", "IMGateway", "CourseSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: lessonPath(12, "IMResilience"),
            swiftSettings: swiftSettings
        ),
        // 13 HTTP tunnel: the same frames over plain HTTP (POST up, long-poll down), transport racing.
        .target(
            name: "IMTunnel",
            dependencies: [
                "IMCore", "IMGateway", "CourseSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: lessonPath(13, "IMTunnel"),
            swiftSettings: swiftSettings
        ),

        // 14 Chunked, resumable upload: tus 1.0.0, content-addressed storage, instant upload, quota, expiry.
        .target(
            name: "IMUpload",
            dependencies: [
                "IMCore", "IMGateway", "CourseSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: lessonPath(14, "IMUpload"),
            swiftSettings: swiftSettings
        ),

        // 19 End-to-end trace and metrics: one trace per message, Prometheus metrics, sampling.
        .target(
            name: "IMObservability",
            dependencies: [
                "IMCore", "IMGateway", "CourseSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: lessonPath(19, "IMObservability"),
            swiftSettings: swiftSettings
        ),

        // 17 Multi-level cache: LRU level 1 with jittered TTL, Redis level 2 (a small RESP2 client on
        // SwiftNIO), single-flight loads, negative caching, Bloom filter, consistent hashing.
        .target(
            name: "IMCache",
            dependencies: [
                "IMCore", "IMGateway", "IMStore", "CourseSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: lessonPath(17, "IMCache"),
            swiftSettings: swiftSettings
        ),

        // 20 Groups of 10,000 members: read diffusion (one stored message, per-member positions), per-gateway fan-out, unread aggregator.
        .target(
            name: "IMGroup",
            dependencies: [
                "IMCore", "IMGateway", "CourseSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: lessonPath(20, "IMGroup"),
            swiftSettings: swiftSettings
        ),

        // MARK: The IM assembled (lesson 11), its clients and tools (tools always from Solutions/)

        // 11 Midterm: the IM assembled — wiring, one router, services with a graceful shutdown.
        .target(
            name: "IMServer",
            dependencies: [
                "IMCore", "IMStore", "IMGateway", "IMDelivery", "IMSecurity", "IMSync", "IMHeartbeat", "CourseSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: lessonPath(11, "IMServer"),
            resources: [.copy("Public")],
            swiftSettings: swiftSettings
        ),
        // The IM as shipped: lesson 11's server with every later lesson's `ServerExtension`.
        // Adding a lesson: one line in ComposedServer.extensions, one field of configuration.
        .target(
            name: "IMComposition",
            dependencies: [
                "IMServer", "IMGateway", "IMStore", "IMTunnel", "IMGroup", "IMLiveRoom", "IMResilience", "IMObservability",
                "IMUpload", "IMCache",
            ],
            path: "Solutions/IMComposition",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IMClient",
            dependencies: [
                "IMCore", "IMSequence", "IMHeartbeat", "IMSecurity", "IMTunnel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Solutions/IMClient",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "im-server",
            dependencies: [
                "IMServer", "IMCache", "IMComposition", "IMCore", "IMGateway", "IMGroup", "IMHeartbeat", "IMLiveRoom",
                "IMObservability", "IMResilience", "IMSecurity", "IMSync", "IMUpload",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Solutions/Tools/im-server",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "im-client",
            dependencies: [
                "IMClient", "IMCore", "IMSecurity", "IMGroup",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Solutions/Tools/im-client",
            swiftSettings: swiftSettings
        ),
        // What im-bench and im-faults share and no client app needs: a real im-server process
        // (start, SIGKILL, restart) and what a process costs (memory, CPU).
        .target(
            name: "IMToolSupport",
            dependencies: ["IMClient", .product(name: "NIOCore", package: "swift-nio")],
            path: "Solutions/Tools/ToolSupport",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "im-bench",
            dependencies: [
                "IMClient", "IMCore", "IMLiveRoom", "IMStore", "IMSync", "IMToolSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Solutions/Tools/im-bench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "im-faults",
            dependencies: [
                "IMClient", "IMCore", "IMToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Solutions/Tools/im-faults",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CourseKit",
            path: "Solutions/Tools/CourseKit",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "course",
            dependencies: ["CourseKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Solutions/Tools/course",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests, one target per lesson

        .target(
            name: "IMTestSupport",
            dependencies: [
                "IMCore", "IMGateway", "IMServer", "IMComposition", "IMClient", "IMResilience",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/IMTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Lesson01Tests",
            // IMTestSupport: the seeded random generator of the hot-frame reader tests.
            dependencies: ["IMCore", "CourseSupport", "IMTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Lesson02Tests",
            dependencies: [
                "IMCore", "IMStore", "CourseSupport", "IMTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Lesson03Tests",
            dependencies: [
                "IMCore", "IMGateway", "IMServer", "IMComposition", "CourseSupport", "IMClient", "IMTestSupport",
                .product(name: "NIOWebSocket", package: "swift-nio"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Lesson04Tests",
            dependencies: [
                "IMCore", "IMDelivery", "IMStore", "IMServer", "IMComposition", "IMClient", "IMTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Lesson05Tests",
            dependencies: [
                "IMCore", "IMSequence", "IMSync", "IMServer", "IMComposition", "IMClient", "IMTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Lesson06Tests",
            dependencies: [
                "IMCore", "IMGateway", "IMSecurity", "IMStore", "IMServer", "IMComposition", "IMClient", "IMTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Lesson07Tests",
            dependencies: [
                "IMCore", "IMUnread", "IMClient", "IMTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Lesson08Tests",
            dependencies: [
                "IMCore", "IMHeartbeat", "IMGateway", "IMServer", "IMComposition", "IMClient", "IMTestSupport",
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Lesson09Tests",
            dependencies: [
                "IMCore", "IMSequence", "IMStore", "IMSync", "IMUnread", "IMServer", "IMComposition", "IMClient", "IMTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Lesson10Tests",
            dependencies: [
                "IMCore", "IMGateway", "IMLiveRoom", "IMSecurity", "IMServer", "IMComposition", "IMClient",
                "IMTestSupport", "CourseSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Lesson11Tests",
            dependencies: [
                "IMCore", "IMGateway", "IMServer", "IMComposition", "IMClient", "IMTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Lesson12Tests",
            dependencies: [
                "IMCore", "IMGateway", "IMResilience", "IMServer", "IMComposition", "IMClient", "IMTestSupport",
                "CourseSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Lesson13Tests",
            dependencies: [
                "IMCore", "IMDelivery", "IMGateway", "IMTunnel", "IMServer", "IMComposition", "IMClient", "IMTestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Lesson14Tests",
            dependencies: [
                "IMCore", "IMGateway", "IMUpload", "IMServer", "IMComposition", "IMClient", "IMTestSupport", "CourseSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["tuspy_client.py"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Lesson19Tests",
            dependencies: [
                "IMCore", "IMObservability", "IMComposition", "IMClient", "IMTestSupport",
            ],
            // The OTLP/HTTP receiver the trace tests start (Python with opentelemetry-proto).
            exclude: ["otlp_receiver.py"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Lesson17Tests",
            dependencies: [
                "IMCache", "IMCore", "IMServer", "IMStore", "IMComposition", "IMClient", "IMTestSupport", "CourseSupport",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Lesson20Tests",
            dependencies: [
                "IMCore", "IMGateway", "IMGroup", "IMServer", "IMStore", "IMComposition", "IMClient", "IMTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CourseKitTests",
            dependencies: ["CourseKit"],
            swiftSettings: swiftSettings
        ),
    ]
)
