// Lesson 12 tests, end to end: a real server on loopback, real WebSocket clients. One client
// floods sends; another chats as a person does. Bounded in count and in time; nothing here
// asserts how fast the server is.

import IMClient
import IMComposition
import IMCore
import IMResilience
import IMServer
import IMTestSupport
import Testing

@Suite("12 Flow control end to end", .serialized)
struct FlowControlEndToEndTests {
    static let rate = 5.0
    static let burst = 10.0

    @Test(
        "12.1 a flooder's sends are refused rate_limited with retryAfter and ref, while a well-behaved client's sends are all acknowledged and stored"
    )
    func flooderIsLimited() async throws {
        try await withTestServer(configure: {
            $0.resilience.sends = .init(rate: Self.rate, burst: Self.burst)
        }) { server in
            let flooder = try await server.registerUser("flood")
            let target = try await server.registerUser("target")
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let floodSocket = try await server.connect(flooder)
            let aliceSocket = try await server.connect(alice)
            defer {
                floodSocket.close()
                aliceSocket.close()
            }
            let started = ContinuousClock.now
            // 200 sends written at once, without waiting for any answer.
            let flood = 200
            for index in 0..<flood {
                floodSocket.send(.send(id: "f\(index)", SendRequest(to: target.id, body: "flood \(index)")))
            }
            // Meanwhile alice chats: each message waits for its ack, as a client does.
            var delivered: [String] = []
            for index in 0..<8 {
                delivered.append(try await aliceSocket.sendMessage(to: bob.id, body: "hi \(index)", requestID: "a\(index)").body)
            }

            var answered = Set<String>()
            var acknowledged = 0
            var refusals: [IMError] = []
            while answered.count < flood {
                let frame = try await floodSocket.next(timeout: .seconds(20)) { frame in
                    switch frame {
                    case .ack, .error: true
                    default: false
                    }
                }
                switch frame {
                case .ack(let ref, _):
                    answered.insert(ref ?? "none")
                    acknowledged += 1
                case .error(let ref, let error):
                    answered.insert(ref ?? "none")
                    refusals.append(error)
                default: break
                }
            }
            let elapsed = ContinuousClock.now - started

            #expect(delivered == (0..<8).map { "hi \($0)" }, "every message of the well-behaved client is acknowledged")
            #expect(answered == Set((0..<flood).map { "f\($0)" }), "every flooded send is answered once, by its ref")
            #expect(!refusals.isEmpty, "Exercise 12.1: 200 sends at once from one user must be limited (burst \(Self.burst))")
            #expect(
                refusals.allSatisfy { $0.code == .rateLimited && ($0.retryAfter ?? 0) >= 1 },
                "refusals are rate_limited with retryAfter ≥ 1 s: \(Set(refusals.map(\.code)))")
            // What the limit allows: the burst, plus the rate over the time the flood took.
            let allowance = Int(Self.burst + Self.rate * (elapsed / .seconds(1)).rounded(.up))
            #expect(
                acknowledged >= Int(Self.burst) && acknowledged <= allowance,
                "Exercise 12.1: the flooder gets its burst and its rate, no more: \(acknowledged) acknowledged, at most \(allowance)"
            )

            // Nothing acknowledged is lost, nothing refused is stored.
            let stored = try await target.http.history(of: target.conversation(with: flooder), limit: 100)
            #expect(stored.messages.count == acknowledged, "the flooder's stored messages are exactly those acknowledged")
            let chat = try await bob.http.history(of: bob.conversation(with: alice))
            #expect(chat.messages.map(\.body) == delivered, "bob has every message alice sent, in order")

            let statistics = try #require(server.server.serverExtension(Resilience.self)).gate.statistics
            #expect(statistics.sendsLimited == refusals.count, "the refusals are counted for operators")
        }
    }

    @Test("12.1 sends over HTTP count against the same bucket as the user's WebSocket sends: over it, 429 with Retry-After")
    func httpSendsAreLimited() async throws {
        try await withTestServer(configure: {
            $0.resilience.sends = .init(rate: 0.01, burst: 3)
        }) { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let socket = try await server.connect(alice)
            defer { socket.close() }
            _ = try await socket.sendMessage(to: bob.id, body: "ws", requestID: "w1")
            var statuses: [Int] = []
            for index in 0..<4 {
                let response = try await alice.http.raw(
                    "POST", "/api/v1/messages", body: Array(#"{"to":\#(bob.id.rawValue),"body":"http \#(index)"}"#.utf8))
                statuses.append(response.status)
                if response.status == 429 {
                    #expect(response.error?.code == .rateLimited && Int(response.headers["retry-after"] ?? "") ?? 0 >= 1)
                }
            }
            #expect(
                statuses == [201, 201, 429, 429], "Exercise 12.1: a burst of 3 shared by WebSocket and HTTP; got \(statuses)")
            let stored = try await bob.http.sync(after: 0).entries.compactMap(\.message).map(\.body)
            #expect(stored == ["ws", "http 0", "http 1"], "a refused HTTP send stores nothing")
        }
    }
}
