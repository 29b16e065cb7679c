// Compiled into every fuzz target (Fuzz/run.sh): the input as bytes, and a check that reports.

/// The fuzzer's input, copied: the parsers take arrays.
func fuzzInput(_ start: UnsafeRawPointer, _ count: Int) -> [UInt8] {
    Array(UnsafeRawBufferPointer(start: start, count: count))
}

/// `precondition` that also says why in an optimized build (where `precondition` drops its message).
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
