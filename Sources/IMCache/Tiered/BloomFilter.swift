// LESSON 17 STARTER, generated from Solutions/IMCache/Tiered/BloomFilter.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 17: a Bloom filter of the ids that exist (against cache penetration).
//
// Given. Requests for ids that do not exist miss every level and reach the store each time
// (penetration); an attacker can send endless random ids. Negative caching stops repeats of one
// id; a Bloom filter stops the first request too: it answers "certainly absent" or "maybe
// present" from a few bits per id. It never answers "absent" for an id that was added, so it can
// turn requests away safely; it answers "maybe" for some absent ids (the false positive rate).

import Foundation

/// A fixed-size set of bits answering "certainly not added" or "maybe added".
public struct BloomFilter: Sendable, Hashable {
    private var words: [UInt64]
    public let bitCount: Int
    public let hashCount: Int
    /// Elements added (with repeats).
    public private(set) var inserted = 0

    /// Sized for `expected` elements at false positive rate `falsePositiveRate`:
    /// m = −n·ln p / (ln 2)², k = m/n·ln 2.
    public init(expected: Int, falsePositiveRate: Double = 0.01) {
        let n = Double(max(expected, 1))
        let p = min(max(falsePositiveRate, 1e-9), 0.5)
        let m = max(64, Int((-n * log(p) / (0.693_147_180_559_945 * 0.693_147_180_559_945)).rounded(.up)))
        bitCount = m
        hashCount = max(1, Int((Double(m) / n * 0.693_147_180_559_945).rounded()))
        words = Array(repeating: 0, count: (m + 63) / 64)
    }

    public mutating func insert(_ element: UInt64) {
        for bit in positions(element) { words[bit >> 6] |= 1 << UInt64(bit & 63) }
        inserted += 1
    }

    /// False: `element` was certainly never added. True: it may have been.
    public func mayContain(_ element: UInt64) -> Bool {
        positions(element).allSatisfy { words[$0 >> 6] & (1 << UInt64($0 & 63)) != 0 }
    }

    /// k positions from two hashes (Kirsch–Mitzenmacher: h1 + i·h2 behaves like k hashes).
    private func positions(_ element: UInt64) -> [Int] {
        let h1 = StableHash.mix(element)
        let h2 = StableHash.mix(element ^ 0x9E37_79B9_7F4A_7C15) | 1
        return (0..<hashCount).map { Int((h1 &+ UInt64($0) &* h2) % UInt64(bitCount)) }
    }
}

/// Hashes that are the same in every process (Swift's `Hasher` is seeded per process, so two
/// nodes would place a key on different Redis instances with it).
public enum StableHash {
    /// SplitMix64's finaliser: every input bit changes about half the output bits.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// FNV-1a over the UTF-8 bytes, then mixed.
    public static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01B3
        }
        return mix(hash)
    }
}
