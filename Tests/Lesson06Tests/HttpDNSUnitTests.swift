// Lesson 06 tests, part 2: the HttpDNS cache and the ranking, pure and with time moved by hand.

import IMSecurity
import Testing

@Suite("06 HttpDNS cache and ranking")
struct HttpDNSUnitTests {
    @Test("an answer is served from the cache until its TTL runs out, then no more")
    func cacheKeepsAnswersForTheirTTL() {
        var cache = DNSCache()
        let answer = HttpDNSAnswer(service: "gateway", addresses: ["https://a:1", "https://b:2"], ttl: 60)
        cache.store(answer, now: .seconds(100))
        #expect(
            cache.lookup("gateway", now: .seconds(100)) == answer.addresses,
            "DNSCache: a stored answer is found at once")
        #expect(
            cache.lookup("gateway", now: .seconds(159)) == answer.addresses,
            "DNSCache: still fresh 59 s later (TTL 60 s)")
        #expect(cache.lookup("gateway", now: .seconds(160)) == nil, "DNSCache: expired exactly at the TTL")
        #expect(cache.lookup("gateway", now: .seconds(1_000)) == nil, "DNSCache: and later")
        #expect(cache.lookup("media", now: .seconds(100)) == nil, "DNSCache: an unknown service has nothing")
        #expect(cache.stale("gateway") == answer.addresses, "an expired answer is kept as a last resort")
    }

    @Test("a TTL of 0 or of a year is clamped; a newer answer replaces the old")
    func ttlIsClampedAndReplaced() {
        var cache = DNSCache()
        cache.store(HttpDNSAnswer(service: "gateway", addresses: ["x"], ttl: 0), now: .zero)
        #expect(cache.lookup("gateway", now: .milliseconds(999)) == ["x"], "DNSCache: at least 1 s")
        cache.store(HttpDNSAnswer(service: "gateway", addresses: ["y"], ttl: 365 * 86_400), now: .zero)
        #expect(cache.lookup("gateway", now: .seconds(86_399)) == ["y"], "DNSCache: the newer answer wins")
        #expect(cache.lookup("gateway", now: .seconds(86_400)) == nil, "DNSCache: at most a day")
    }

    @Test("reachable addresses come first, fastest first; then unprobed, built-ins, and failed ones last (06.2)")
    func ranking() {
        let ranked = AddressRanking.rank(
            [
                ("dead", .unreachable), ("slow", .reachable(.milliseconds(400))), ("new", .unknown),
                ("fast", .reachable(.milliseconds(3))), ("fast-too", .reachable(.milliseconds(3))),
            ],
            builtIn: ["builtin-1", "fast", "dead", "builtin-2"])
        #expect(
            ranked == ["fast", "fast-too", "slow", "new", "builtin-1", "builtin-2", "dead"],
            "Exercise 06.2: fastest first (ties keep the answer's order), then unprobed, built-ins, failed; each once; got \(ranked)"
        )
    }

    @Test("with no answer at all, the built-ins are the plan (06.2)")
    func rankingFallsBackToBuiltIns() {
        let ranked = AddressRanking.rank([], builtIn: ["https://a:1", "https://b:2", "https://a:1"])
        #expect(ranked == ["https://a:1", "https://b:2"], "Exercise 06.2: built-ins in order, once each; got \(ranked)")
    }
}
