// Lesson 12 tests: limits per client address on routes — registrations, logins, new connections
// — on a real server, and the pure parts (which address, which limit) without I/O.
//
// Every test client runs on 127.0.0.1, so the end-to-end tests name the server's own address as a
// trusted proxy and play clients at other addresses with `X-Forwarded-For`, as nginx would send it.

import IMClient
import IMComposition
import IMCore
import IMGateway
import IMResilience
import IMServer
import IMTestSupport
import Testing

@Suite("12 Limits per address")
struct AddressLimitTests {
    @Test("the client address: a trusted proxy's X-Forwarded-For is read from the right; anyone else's is ignored")
    func clientAddress() {
        let resolver = ClientAddress(trustedProxies: ["10.0.0.1", "10.0.0.2"])
        #expect(
            resolver.resolve(peer: "203.0.113.9", forwardedFor: "1.2.3.4") == "203.0.113.9",
            "an untrusted peer cannot name another address")
        #expect(resolver.resolve(peer: "10.0.0.1", forwardedFor: "1.2.3.4") == "1.2.3.4", "the trusted proxy names the client")
        #expect(
            resolver.resolve(peer: "10.0.0.1", forwardedFor: "6.6.6.6, 198.51.100.7, 10.0.0.2") == "198.51.100.7",
            "the right-most address that is not our proxy: whatever the client wrote on the left is not believed")
        #expect(resolver.resolve(peer: "10.0.0.1", forwardedFor: "10.0.0.2") == "10.0.0.2", "all hops trusted: the left-most")
        #expect(resolver.resolve(peer: "10.0.0.1", forwardedFor: " , ") == "10.0.0.1", "an empty header: the peer")
        #expect(resolver.resolve(peer: "10.0.0.1", forwardedFor: nil) == "10.0.0.1", "no header: the peer")
        #expect(ClientAddress().resolve(peer: "10.0.0.1", forwardedFor: "1.2.3.4") == "10.0.0.1", "no trusted proxy: the peer")
    }

    @Test("a route limit matches its kind, method and path (exact, or a prefix with *)")
    func routeMatching() {
        let register = GateRequest(kind: .http, method: "POST", path: "/api/v1/register", address: "a")
        let upgrade = GateRequest(kind: .webSocket, method: "GET", path: "/ws", address: "a")
        let history = GateRequest(kind: .http, method: "GET", path: "/api/v1/conversations/1:2/messages", address: "a")
        #expect(RouteLimit.registrations.matches(register))
        #expect(
            !RouteLimit.registrations.matches(GateRequest(kind: .http, method: "GET", path: "/api/v1/register", address: "a")))
        #expect(RouteLimit.connections.matches(upgrade) && !RouteLimit.connections.matches(register))
        #expect(!RouteLimit.tunnels.matches(GateRequest(kind: .http, method: "POST", path: "/api/v1/tunnel/7/up", address: "a")))
        let api = RouteLimit.api(rate: 1, burst: 1)
        #expect(api.matches(history) && api.matches(register) && !api.matches(upgrade))
    }

    @Test("12.1 the first matching limit counts a request in its address's token bucket; a refusal says how long to wait")
    func gateCountsPerAddress() {
        let gate = AddressGate(limits: [
            RouteLimit("registrations", method: "POST", path: "/api/v1/register", rate: 0.01, burst: 2),
            .api(rate: 0.01, burst: 100),
        ])
        let register = { (address: String) in
            gate.check(GateRequest(kind: .http, method: "POST", path: "/api/v1/register", address: address))
        }
        #expect(register("a") == nil && register("a") == nil, "the burst is let through")
        let refusal = register("a")
        #expect(
            refusal?.code == .rateLimited && (refusal?.retryAfter ?? 0) >= 1,
            "the third is refused with retryAfter: \(String(describing: refusal))")
        #expect(register("b") == nil, "another address has its own bucket")
        #expect(gate.refused["registrations"] == 1)
        #expect(
            gate.check(GateRequest(kind: .http, method: "GET", path: "/api/v1/users", address: "a")) == nil,
            "other routes are counted by the next limit, not the registrations'")
    }

    static func limited(_ configuration: inout ComposedServerConfiguration) {
        configuration.gateway.trustedProxies = ["127.0.0.1"]
        configuration.resilience.perAddress = [
            RouteLimit("connections", kind: .webSocket, path: "/ws", rate: 0.01, burst: 5),
            RouteLimit("registrations", kind: .http, method: "POST", path: "/api/v1/register", rate: 0.01, burst: 3),
        ]
    }

    @Test("12.1 registrations over an address's token bucket get 429 with Retry-After and create nothing; other addresses go on")
    func registrationFlood() async throws {
        try await withTestServer(configure: Self.limited) { server in
            let http = server.client()
            func register(_ name: String, from address: String) async throws -> RawResponse {
                try await http.raw(
                    "POST", "/api/v1/register",
                    body: Array(#"{"username":"\#(name)","password":"password123"}"#.utf8),
                    headers: [("X-Forwarded-For", address)])
            }
            var statuses: [Int] = []
            for index in 0..<6 { statuses.append(try await register("flood\(index)", from: "198.51.100.66").status) }
            #expect(statuses == [201, 201, 201, 429, 429, 429], "the burst of 3 is let through, then 429; got \(statuses)")
            let refused = try await register("flood9", from: "198.51.100.66")
            #expect(
                refused.error?.code == .rateLimited && (refused.error?.retryAfter ?? 0) >= 1,
                "the body says rate_limited with retryAfter")
            #expect(Int(refused.headers["retry-after"] ?? "") ?? 0 >= 1, "and so does the Retry-After header: \(refused.headers)")

            let other = try await register("neighbour", from: "198.51.100.7")
            #expect(other.status == 201, "another client address is not affected by the flooder")

            // The peer 127.0.0.1 is trusted here; it is the X-Forwarded-For that names the client. A
            // client that adds its own header in front cannot get a fresh bucket: the proxy's entry is last.
            let spoofed = try await register("spoof", from: "192.0.2.1, 198.51.100.66")
            #expect(spoofed.status == 429, "the right-most entry (written by our proxy) is counted, not the client's own")

            let alice = try await server.registerUser("alice")
            let usernames = Set(try await alice.http.users().map(\.username))
            #expect(usernames.isSuperset(of: ["flood0", "flood1", "flood2", "neighbour"]))
            #expect(
                usernames.isDisjoint(with: ["flood3", "flood4", "flood5", "flood9", "spoof"]),
                "a refused registration creates nothing")
        }
    }

    @Test(
        "12.1 a flood of WebSocket upgrades from one address is refused 429 before the token is checked; other clients connect and chat, losing nothing"
    )
    func connectionFlood() async throws {
        try await withTestServer(configure: Self.limited) { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            var statuses: [Int] = []
            for _ in 0..<12 {
                // A fresh connection each (an upgrade is a connection's first request).
                let request = webSocketUpgradeRequest(
                    path: "/ws", headers: ["X-Forwarded-For: 198.51.100.66", "Authorization: Bearer not-a-token"])
                let answer = try await plainExchange(port: server.port, sending: request)
                let statusLine = answer.map { String(decoding: $0, as: UTF8.self) }?.split(separator: "\r\n").first ?? ""
                statuses.append(Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0)
            }
            #expect(statuses.prefix(5).allSatisfy { $0 == 401 }, "the burst gets as far as the token check: \(statuses)")
            #expect(
                statuses.dropFirst(5).allSatisfy { $0 == 429 },
                "then the address is refused before any token is checked: \(statuses)")

            // Clients at 127.0.0.1 (no X-Forwarded-For) have their own bucket.
            let aliceSocket = try await server.connect(alice)
            let bobSocket = try await server.connect(bob)
            defer {
                aliceSocket.close()
                bobSocket.close()
            }
            var sent: [String] = []
            for index in 0..<20 {
                sent.append(try await aliceSocket.sendMessage(to: bob.id, body: "m\(index)", requestID: "a\(index)").body)
            }
            var received: [String] = []
            while received.count < 20 { received.append(try await bobSocket.nextPushedMessage().body) }
            #expect(sent == received, "every message of the well-behaved pair is acknowledged and delivered once, in order")
            let stored = try await bob.http.sync(after: 0).entries.compactMap(\.message).map(\.body)
            #expect(stored == sent, "and stored")
        }
    }
}
