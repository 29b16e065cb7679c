// Lesson 10: budgets and buckets count time in whole milliseconds.

extension Duration {
    /// Whole milliseconds in this duration, rounded down (negative durations give 0).
    var wholeMilliseconds: Int64 {
        max(0, components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000)
    }
}
