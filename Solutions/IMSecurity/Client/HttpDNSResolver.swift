// Lesson 06: the client half of HttpDNS — resolve, cache, measure, prefer the fastest, fall back.
//
//   candidates():  fresh cache entry? ─no─► ask the HttpDNS servers in turn ─all fail─► stale entry,
//                        │yes                      │answer                          or the built-ins
//                        ▼                         ▼
//                 ranked addresses ◄── probe every address (GET /health, timed) ◄── cache it (TTL)
//
// The network parts (asking HttpDNS, probing) are closures, so the same resolver runs over
// AsyncHTTPClient in `IMClient` and over anything else; time for the TTL is a closure as well.

/// Resolves a service to an ordered list of addresses and tries them in that order.
public actor HttpDNSResolver {
    public struct Configuration: Sendable {
        /// The service to resolve.
        public var service: String
        /// Base URLs of HttpDNS endpoints, asked in order (production clients use fixed IPs).
        public var dnsServers: [String]
        /// Addresses shipped with the app: the last resort when HttpDNS cannot be reached.
        public var builtInAddresses: [String]

        public init(service: String = HttpDNSDirectory.defaultService, dnsServers: [String], builtInAddresses: [String] = []) {
            self.service = service
            self.dnsServers = dnsServers
            self.builtInAddresses = builtInAddresses
        }
    }

    /// Asks one HttpDNS server (a base URL) for a service.
    public typealias Lookup = @Sendable (_ dnsServer: String, _ service: String) async throws -> HttpDNSAnswer
    /// Checks that an address answers (`GET /health`); throws when it does not.
    public typealias Probe = @Sendable (_ address: String) async throws -> Void

    public let configuration: Configuration
    private let lookup: Lookup
    private let probe: Probe
    private let now: @Sendable () -> Duration
    private var cache = DNSCache()
    private var results: [String: ProbeResult] = [:]
    /// How many answers came from the HttpDNS servers (to see the cache at work).
    public private(set) var lookups = 0

    /// - Parameter now: a monotonic clock reading, for the TTL (tests pass a hand-moved clock).
    public init(
        configuration: Configuration, lookup: @escaping Lookup, probe: @escaping Probe,
        now: @escaping @Sendable () -> Duration = HttpDNSResolver.monotonicNow
    ) {
        self.configuration = configuration
        self.lookup = lookup
        self.probe = probe
        self.now = now
    }

    /// The addresses to try, best first: HttpDNS's answer (from the cache while fresh), ranked by
    /// the probes, then the built-in ones.
    public func candidates() async -> [String] {
        let service = configuration.service
        let addresses: [String]
        if let fresh = cache.lookup(service, now: now()) {
            addresses = fresh
        } else if let answer = await ask() {
            cache.store(answer, now: now())
            addresses = answer.addresses
            // A new answer is measured again: the fastest node a minute ago may be loaded now.
            await measure(addresses)
        } else {
            addresses = cache.stale(service) ?? []
        }
        return AddressRanking.rank(
            addresses.map { (address: $0, result: results[$0] ?? .unknown) }, builtIn: configuration.builtInAddresses)
    }

    /// The last probe result of `address`.
    public func result(of address: String) -> ProbeResult { results[address] ?? .unknown }

    /// Runs `operation` on the best address; when it throws, on the next, and so on. An address
    /// that failed is ranked last until it is measured again.
    public func withFallback<T: Sendable>(_ operation: @Sendable (String) async throws -> T) async throws -> T {
        var lastError: (any Error)?
        for address in await candidates() {
            do {
                return try await operation(address)
            } catch {
                results[address] = .unreachable
                lastError = error
            }
        }
        throw lastError ?? SecurityError(.noAddress, "no address known for `\(configuration.service)`")
    }

    /// Forgets the cached answer, so the next `candidates()` asks HttpDNS again.
    public func invalidate() { cache = DNSCache() }

    // MARK: Steps

    private func ask() async -> HttpDNSAnswer? {
        for server in configuration.dnsServers {
            if let answer = try? await lookup(server, configuration.service), !answer.addresses.isEmpty {
                lookups += 1
                return answer
            }
        }
        return nil
    }

    /// Probes every address at once and records how long each took to answer.
    private func measure(_ addresses: [String]) async {
        let probe = probe
        let measured = await withTaskGroup(of: (String, ProbeResult).self) { group in
            for address in addresses {
                group.addTask {
                    let clock = ContinuousClock()
                    let start = clock.now
                    do {
                        try await probe(address)
                        return (address, .reachable(clock.now - start))
                    } catch {
                        return (address, .unreachable)
                    }
                }
            }
            var all: [(String, ProbeResult)] = []
            for await result in group { all.append(result) }
            return all
        }
        for (address, result) in measured { results[address] = result }
    }

    /// Time since an arbitrary fixed point, from the monotonic clock (not the wall clock, which jumps).
    public static let monotonicNow: @Sendable () -> Duration = {
        let start = ContinuousClock.now
        return { ContinuousClock.now - start }
    }()
}
