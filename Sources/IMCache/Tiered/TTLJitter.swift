// LESSON 17 STARTER, generated from Solutions/IMCache/Tiered/TTLJitter.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 17: time-to-live with jitter (against avalanches).
//
// Given. Entries written together (a warm-up, a burst after a restart) would all expire at the
// same instant and send their misses to the store together: a cache "avalanche". Spreading each
// TTL by a random fraction spreads those expiries over a window instead.

/// A TTL spread uniformly over [ttl·(1−spread), ttl·(1+spread)].
public struct TTLJitter: Sendable, Hashable {
    public var ttl: Duration
    /// 0 (none) to 1; 0.2 spreads ±20 %.
    public var spread: Double

    public init(ttl: Duration, spread: Double = 0.2) {
        self.ttl = ttl
        self.spread = min(max(spread, 0), 1)
    }

    /// One TTL, drawn with `unit`, a number in [0, 1) (a parameter so tests can fix it).
    public func draw(unit: Double) -> Duration {
        ttl * (1 - spread + 2 * spread * min(max(unit, 0), 1))
    }

    public func draw<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        draw(unit: Double.random(in: 0..<1, using: &generator))
    }

    public func draw() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return draw(using: &generator)
    }
}
