// LESSON 10 STARTER, generated from Solutions/IMLiveRoom/Duration+Milliseconds.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 10: budgets and buckets count time in whole milliseconds.

extension Duration {
    /// Whole milliseconds in this duration, rounded down (negative durations give 0).
    var wholeMilliseconds: Int64 {
        max(0, components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000)
    }
}
