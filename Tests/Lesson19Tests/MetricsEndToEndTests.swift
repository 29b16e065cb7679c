// Lesson 19 tests: a real server on loopback, scraped at GET /metrics by a real HTTP client, and
// real WebSocket clients whose frames move the counters by exactly what they did.

import Foundation
import IMClient
import IMCore
import IMObservability
import IMTestSupport
import Testing

/// One scrape of `/metrics`, parsed: `name{labels}` → value.
struct Scrape {
    let samples: [String: Double]
    let types: [String: String]

    /// Parses the Prometheus text format (0.0.4): `# TYPE name kind` and `name{a="b"} value` lines.
    init(_ text: String) throws {
        var samples: [String: Double] = [:]
        var types: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.isEmpty {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4 else { throw ReceiverError("bad TYPE line: \(line)") }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                throw ReceiverError("not a sample line: \(line)")
            }
            let key = String(line[..<space])
            guard key.first?.isLetter == true || key.first == "_" else { throw ReceiverError("bad metric name: \(line)") }
            samples[key] = value
        }
        self.samples = samples
        self.types = types
    }

    subscript(_ key: String) -> Double { samples[key] ?? 0 }

    static func of(_ server: TestServer) async throws -> Scrape {
        let response = try await server.client().raw("GET", "/metrics")
        guard response.status == 200 else { throw ReceiverError("GET /metrics answered \(response.status)") }
        return try Scrape(response.text)
    }
}

@Suite("19 metrics end to end")
struct MetricsEndToEndTests {
    @Test("19: /metrics parses, and frames, sends, stores, pushes and connections move by exactly what the clients did")
    func countersMove() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let before = try await Scrape.of(server)
            #expect(before.types["im_send_duration_seconds"] == "histogram", "send latency is a histogram")

            let aliceSocket = try await server.connect(alice)
            let bobSocket = try await server.connect(bob)
            for index in 0..<3 {
                let message = try await aliceSocket.sendMessage(to: bob.id, body: "hello \(index)", requestID: "r\(index)")
                let pushed = try await bobSocket.nextPushedMessage()
                #expect(pushed.id == message.id)
            }
            aliceSocket.send(.ping(id: "p1"))
            _ = try await aliceSocket.next { if case .pong = $0 { true } else { false } }

            // pushAck frames are the gateway's own (lesson 04) and never reach the frame handlers.
            let after = try await Scrape.of(server)
            #expect(after.types["im_frames_received_total"] == "counter", "frames received is a counter")
            func delta(_ key: String) -> Double { after[key] - before[key] }
            #expect(delta(#"im_frames_received_total{type="send"}"#) == 3, "3 send frames in")
            #expect(delta(#"im_frames_received_total{type="ping"}"#) == 1, "1 ping frame in")
            #expect(delta(#"im_frames_sent_total{type="ack"}"#) == 3, "3 ack frames out")
            #expect(delta(#"im_frames_sent_total{type="pong"}"#) == 1, "1 pong frame out")
            #expect(delta("im_send_duration_seconds_count") == 3, "3 send latencies recorded")
            #expect(delta("im_store_duration_seconds_count") == 3, "3 store transactions timed")
            #expect(delta("im_store_errors_total") == 0, "no store error")
            #expect(delta("im_pushes_total") == 6, "each message pushed to its 2 members")
            #expect(
                delta("im_push_fanout_users_count") == 3 && delta("im_push_fanout_users_sum") == 6, "fan-out of 2 per message")
            #expect(after[#"im_connections{transport="websocket"}"#] == 2, "2 WebSockets open")
            #expect(delta(#"im_connections_opened_total{transport="websocket"}"#) == 2, "2 WebSockets opened")
            let buckets = after.samples.filter { $0.key.hasPrefix("im_send_duration_seconds_bucket") }
            #expect(
                buckets[#"im_send_duration_seconds_bucket{le="+Inf"}"#] == after["im_send_duration_seconds_count"],
                "+Inf bucket = count")

            aliceSocket.close()
            let closed = await eventually {
                (try? await Scrape.of(server))?[#"im_connections{transport="websocket"}"#] == 1
            }
            #expect(closed, "the gauge goes down when a WebSocket closes")
            bobSocket.close()
        }
    }

    @Test("19: a refused frame and an unknown type are counted without a series of their own; /metrics/quantiles answers")
    func errorsAndQuantiles() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let socket = try await server.connect(alice)
            let before = try await Scrape.of(server)
            socket.sendRaw(#"{"v":1,"type":"nobody.owns","id":"x1"}"#)
            let answer = try await socket.next { if case .error = $0 { true } else { false } }
            guard case .error(let ref, let error) = answer else { return }
            #expect(ref == "x1" && error.code == .unknownType)
            let after = try await Scrape.of(server)
            #expect(
                after[#"im_frames_received_total{type="unknown"}"#] - before[#"im_frames_received_total{type="unknown"}"#] == 1)
            #expect(after.samples.keys.allSatisfy { !$0.contains("nobody.owns") }, "client-chosen types get no series")
            _ = try await socket.sendMessage(to: bob.id, body: "hello", requestID: "s1")
            let response = try await server.client().raw("GET", "/metrics/quantiles")
            let summary = try JSONDecoder().decode(SendLatencySummary.self, from: Data(response.body))
            #expect(summary.count == 1 && summary.p50 != nil && summary.p99 != nil)
            socket.close()
        }
    }
}
