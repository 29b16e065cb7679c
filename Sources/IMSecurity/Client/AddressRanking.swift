// LESSON 06 STARTER, generated from Solutions/IMSecurity/Client/AddressRanking.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

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
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 06
        _ = Exercise.notImplemented("06.2", expected: "reachable addresses fastest first, then unprobed, then built-ins, then unreachable, each once")
        return []
        // END EXERCISE 06.2
    }
}
