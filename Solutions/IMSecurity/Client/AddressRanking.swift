// Lesson 06: which address a client tries first, and which next.
//
// A pure function: the probe results go in, the order of attempts comes out.

import CourseSupport

/// What probing an address found.
public enum ProbeResult: Sendable, Hashable {
    /// It answered `/health` after this long.
    case reachable(Duration)
    /// It did not answer (refused, timed out, bad TLS, error status).
    case unreachable
    /// Not probed (yet).
    case unknown
}

/// Orders addresses for connecting.
public enum AddressRanking {
    /// The order in which to try the addresses:
    /// 1. those that answered, fastest first (equal times keep the answer's order);
    /// 2. those not probed, in the answer's order;
    /// 3. the built-in addresses that the answer did not list, in their order;
    /// 4. last, those whose probe failed: they may have come back, but nothing suggests so.
    /// Every address appears once.
    public static func rank(_ probed: [(address: String, result: ProbeResult)], builtIn: [String]) -> [String] {
        // BEGIN EXERCISE 06.2: Order reachable (fastest first, stable), then unknown, then built-ins not yet listed, then unreachable; no duplicates.
        var reachable: [(address: String, latency: Duration, position: Int)] = []
        var unknown: [String] = []
        var unreachable: [String] = []
        for (position, entry) in probed.enumerated() {
            switch entry.result {
            case .reachable(let latency): reachable.append((entry.address, latency, position))
            case .unknown: unknown.append(entry.address)
            case .unreachable: unreachable.append(entry.address)
            }
        }
        reachable.sort { ($0.latency, $0.position) < ($1.latency, $1.position) }
        var order: [String] = []
        var seen: Set<String> = []
        for address in reachable.map(\.address) + unknown + builtIn + unreachable where seen.insert(address).inserted {
            order.append(address)
        }
        // A built-in address that failed its probe belongs with the failed ones, at the end.
        let failed = Set(unreachable)
        return order.filter { !failed.contains($0) } + order.filter { failed.contains($0) }
        // STUB: _ = Exercise.notImplemented("06.2", expected: "reachable addresses fastest first, then unprobed, then built-ins, then unreachable, each once")
        // STUB: return []
        // END EXERCISE 06.2
    }
}
