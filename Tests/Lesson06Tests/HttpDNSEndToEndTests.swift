// Lesson 06 tests, part 5: HttpDNS through the real server and real listeners — one fast, one
// slow, one dead — and the client resolver that caches, measures, prefers and falls back.

import Foundation
import IMClient
import IMComposition
import IMCore
import IMSecurity
import IMServer
import IMTestSupport
import NIOCore
import Synchronization
import Testing

/// A clock that moves only when told to (for TTLs).
final class ManualClock: Sendable {
    private let value = Mutex<Duration>(.zero)
    var now: Duration { value.withLock { $0 } }
    func advance(by step: Duration) { value.withLock { $0 += step } }
}

@Suite("06 HttpDNS end to end", .serialized)
struct HttpDNSEndToEndTests {
    @Test("the endpoint answers the configured addresses with a TTL; bad queries get clear errors")
    func endpoint() async throws {
        let addresses = ["https://gw1.example.com:8443", "https://gw2.example.com:8443"]
        try await withTestServer(configure: {
            $0.httpDNS = HttpDNSConfiguration(services: ["gateway": addresses], ttl: .seconds(90))
        }) { server in
            let answer = try await server.client().resolve(service: "gateway")
            #expect(answer == HttpDNSAnswer(service: "gateway", addresses: addresses, ttl: 90))
            let missing = try await server.client().raw("GET", "/api/v1/dns")
            #expect(missing.status == 400 && missing.error?.code == .invalidArgument, "\(missing.text)")
            let unknown = try await server.client().raw("GET", "/api/v1/dns?service=nope")
            #expect(unknown.status == 404 && unknown.error?.code == .notFound, "\(unknown.text)")
        }
        // Without configuration, the gateway service is the address the client used.
        try await withTestServer { server in
            let answer = try await server.client().resolve(service: "gateway")
            #expect(answer.addresses == [server.baseURL] && answer.ttl == 60)
        }
    }

    @Test("the resolver prefers the node that answers fastest, then the slow one, and the dead one last (06.2)")
    func resolverRanksByProbe() async throws {
        let fast = try await TestListener.start()
        let slow = try await TestListener.start(healthDelay: .milliseconds(600))
        let dead = try await deadAddress()
        let listed = [dead, slow.baseURL, fast.baseURL]
        try await withTestServer(configure: {
            $0.httpDNS = HttpDNSConfiguration(services: ["gateway": listed], ttl: .seconds(60))
        }) { server in
            let resolver = HttpDNSResolver.live(
                configuration: .init(dnsServers: [server.baseURL], builtInAddresses: [server.baseURL]),
                timeout: .seconds(2))
            let ranked = await resolver.candidates()
            #expect(
                ranked == [fast.baseURL, slow.baseURL, server.baseURL, dead],
                "Exercise 06.2: fastest first, then slower, built-in, dead last; got \(ranked)")
            #expect(await resolver.result(of: dead) == .unreachable)
        }
        await fast.stop()
        await slow.stop()
    }

    @Test("answers are cached for their TTL: no second query until it runs out (06.2)")
    func resolverCachesByTTL() async throws {
        let node = try await TestListener.start()
        try await withTestServer(configure: {
            $0.httpDNS = HttpDNSConfiguration(services: ["gateway": [node.baseURL]], ttl: .seconds(60))
        }) { server in
            let clock = ManualClock()
            let client = server.client()
            let resolver = HttpDNSResolver(
                configuration: .init(dnsServers: [server.baseURL]),
                lookup: { _, service in try await client.resolve(service: service) },
                probe: { address in try await IMHTTPClient(baseURL: address).health() },
                now: { clock.now })
            #expect(await resolver.candidates() == [node.baseURL])
            #expect(await resolver.lookups == 1)
            clock.advance(by: .seconds(59))
            #expect(await resolver.candidates() == [node.baseURL])
            #expect(await resolver.lookups == 1, "DNSCache: within the TTL the cache answers")
            clock.advance(by: .seconds(1))
            #expect(await resolver.candidates() == [node.baseURL])
            #expect(await resolver.lookups == 2, "DNSCache: after the TTL HttpDNS is asked again")
        }
        await node.stop()
    }

    @Test("when the preferred node dies, the next one is used; when HttpDNS is down, the built-ins (06.2)")
    func resolverFallsBack() async throws {
        let first = try await TestListener.start()
        let second = try await TestListener.start(healthDelay: .milliseconds(300))
        try await withTestServer(configure: {
            $0.httpDNS = HttpDNSConfiguration(services: ["gateway": [second.baseURL, first.baseURL]])
        }) { server in
            let resolver = HttpDNSResolver.live(configuration: .init(dnsServers: [server.baseURL]), timeout: .seconds(1))
            let health: @Sendable (String) async throws -> String = { address in
                try await IMHTTPClient(baseURL: address).health(timeout: .seconds(1))
                return address
            }
            let used = try await resolver.withFallback(health)
            #expect(used == first.baseURL, "the fastest node is used")
            await first.stop()
            let next = try await resolver.withFallback(health)
            #expect(next == second.baseURL, "Exercise 06.2: the dead node is skipped and the next one used")
            #expect(await resolver.candidates().last == first.baseURL, "Exercise 06.2: the failed node is tried last")
        }
        // HttpDNS itself unreachable, nothing cached: only the built-in addresses are left.
        let resolver = HttpDNSResolver.live(
            configuration: .init(dnsServers: [try await deadAddress()], builtInAddresses: [second.baseURL]),
            timeout: .seconds(1))
        #expect(await resolver.candidates() == [second.baseURL], "Exercise 06.2: the built-ins are the last resort")
        let fallback = try await resolver.withFallback { address in
            try await IMHTTPClient(baseURL: address).health(timeout: .seconds(1))
            return address
        }
        #expect(fallback == second.baseURL)
        await second.stop()
        let none = HttpDNSResolver.live(configuration: .init(dnsServers: [try await deadAddress()]), timeout: .seconds(1))
        await #expect(throws: SecurityError.self, "no address at all is a clear error") {
            try await none.withFallback { $0 }
        }
    }

    @Test("HttpDNS over TLS: a pinned, trusting client resolves and probes https addresses (06.2, 06.3)")
    func resolverOverTLS() async throws {
        let ca = try LocalCertificateAuthority()
        let certificate = try ca.issue()
        try await withTestServer(configure: { $0.tls = certificate.serverTLS }) { server in
            let tls = ClientTLS(trustedRootsPEM: try ca.rootPEM(), pins: [try certificate.pin()])
            let resolver = HttpDNSResolver.live(configuration: .init(dnsServers: [server.baseURL]), tls: tls)
            #expect(await resolver.candidates() == [server.baseURL])
            guard case .reachable = await resolver.result(of: server.baseURL) else {
                Issue.record("the https address answers its probe")
                return
            }
        }
    }
}
