// Lesson 19 tests: one message's trace, from the client's `trace.send` frame to the server's ACK,
// exported over OTLP/HTTP to a real receiver (otlp_receiver.py) and checked as a span tree.

import Foundation
import IMClient
import IMComposition
import IMCore
import IMObservability
import IMTestSupport
import Testing

@Suite("19 trace end to end", .enabled(if: OTLPReceiver.isAvailable || OTLPReceiver.isRequired, OTLPReceiver.skipReason))
struct TraceEndToEndTests {
    /// A client span's ids, as a client's tracer would make them.
    static func clientSpan() -> TraceParent {
        func hex(_ bytes: Int) -> String {
            (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 1...255)) }.joined()
        }
        return TraceParent(traceID: hex(16), spanID: hex(8), sampled: true)
    }

    static func tracedSend(_ socket: IMWebSocketClient, id: String, parent: String, to user: UserID, body: String) async throws
        -> ServerFrame
    {
        let request = TracedSendRequest(traceparent: parent, to: user, body: body, clientMsgID: id)
        let data = try JSONValue(json: Array(try JSONEncoder().encode(request)))
        socket.send(.extension(ExtensionFrame(type: TracedSendRequest.frameType, id: id, data: data)))
        return try await socket.next { frame in
            switch frame {
            case .ack(let ref, _), .error(let ref, _): ref == id
            default: false
            }
        }
    }

    /// Runs `body` with a receiver and a server exporting to it.
    func withTracedServer(
        _ sampler: TraceSampler, _ body: (TestServer, OTLPReceiver) async throws -> Void
    ) async throws {
        let receiver = try await OTLPReceiver.start()
        do {
            try await withTestServer(configure: { configuration in
                configuration.observability.otlpEndpoint = receiver.endpoint
                configuration.observability.exportDelay = .milliseconds(100)
                configuration.observability.sampler = sampler
            }) { server in
                try await body(server, receiver)
            }
        } catch {
            await receiver.stop()
            throw error
        }
        await receiver.stop()
    }

    @Test("19.1 19.4: one message's spans form client → gateway → store, pushes, ack under the client's trace id")
    func oneMessageTrace() async throws {
        try await withTracedServer(TraceSampler(uplinkRate: 1, downlinkRate: 1)) { server, receiver in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let aliceSocket = try await server.connect(alice)
            let bobSocket = try await server.connect(bob)
            let client = Self.clientSpan()

            let answer = try await Self.tracedSend(aliceSocket, id: "t1", parent: client.header, to: bob.id, body: "traced")
            guard case .ack(_, let message) = answer else {
                Issue.record("19.1: a trace.send with a valid traceparent is answered with ack, got \(answer)")
                return
            }
            #expect(try await bobSocket.nextPushedMessage().id == message.id, "the traced message reaches bob")

            let received = try await receiver.spans(of: client.traceID, onceArrived: "im.gateway.send")
            let spans = try #require(received, "no server span of trace \(client.traceID) reached the OTLP receiver in 15 s")
            let tree = try SpanTree(traceID: client.traceID, records: spans)
            let root = try #require(tree.roots.first, "19.4: the trace has a root")
            #expect(tree.roots.count == 1, "19.4: one root, got \(tree.roots.map(\.name))")
            #expect(root.name == "im.gateway.send", "the server's first span is the gateway's")
            #expect(root.parentSpanID == client.spanID, "19.1: the gateway span's parent is the client's span from the frame")
            #expect(root.attributes["im.message.id"] == message.id.description)
            #expect(root.attributes["im.user.id"] == alice.id.description)

            let store = tree.children(of: root, named: "im.store")
            #expect(store.count == 1, "one store transaction under the gateway span")
            #expect(store.first?.attributes["im.message.id"] == message.id.description)
            #expect(store.first?.attributes["db.system"] == "sqlite")
            let pushes = tree.children(of: root, named: "im.push")
            #expect(
                Set(pushes.compactMap { $0.attributes["im.push.user.id"] }) == [alice.id.description, bob.id.description],
                "a push span per member of the fan-out")
            let ack = tree.children(of: root, named: "im.ack")
            #expect(ack.first?.attributes["im.message.id"] == message.id.description, "the ACK span names the message")
            #expect(tree.path(to: try #require(ack.first)) == ["im.gateway.send", "im.ack"])
            aliceSocket.close()
            bobSocket.close()
        }
    }

    @Test(
        "19.2 (and 19.1, which reads the frame's traceparent): downlink rate 0 keeps the store and ack spans but drops the pushes, except a chosen user's"
    )
    func downlinkSampling() async throws {
        let vip = UserID(2)  // the second account of a fresh database
        try await withTracedServer(TraceSampler(uplinkRate: 1, downlinkRate: 0, chosenUsers: [vip])) { server, receiver in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            try #require(bob.id == vip, "the test expects bob to be user 2")
            let socket = try await server.connect(alice)
            let client = Self.clientSpan()
            let answer = try await Self.tracedSend(socket, id: "t2", parent: client.header, to: bob.id, body: "hi")
            guard case .ack = answer else {
                Issue.record("19.1: a trace.send with a valid traceparent is answered with ack, got \(answer)")
                return
            }
            let received = try await receiver.spans(of: client.traceID, onceArrived: "im.gateway.send")
            let spans = try #require(received, "no server span of trace \(client.traceID) reached the OTLP receiver in 15 s")
            // The gateway span ends last, so its children were exported with it or before.
            #expect(spans.contains { $0.name == "im.store" }, "uplink spans are kept")
            let pushed = spans.filter { $0.name == "im.push" }.compactMap { $0.attributes["im.push.user.id"] }
            #expect(
                pushed == [bob.id.description], "19.2: only the chosen user's push is traced at downlink rate 0, got \(pushed)")
            socket.close()
        }
    }

    @Test("19.1: a bad traceparent is a bad_frame error with the request's id, and nothing is sent")
    func badTraceParent() async throws {
        try await withTracedServer(TraceSampler()) { server, _ in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let socket = try await server.connect(alice)
            let answer = try await Self.tracedSend(socket, id: "b1", parent: "00-zz-00-01", to: bob.id, body: "x")
            guard case .error(let ref, let error) = answer else {
                Issue.record("a malformed traceparent must be refused, got \(answer)")
                return
            }
            #expect(ref == "b1" && error.code == .badFrame)
            let history = try await alice.http.history(of: alice.conversation(with: bob))
            #expect(history.messages.isEmpty, "a refused frame stores nothing")
            socket.close()
        }
    }
}
