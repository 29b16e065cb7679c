// Lesson 17: one load per key, however many callers miss it at once (against cache stampedes).
//
// You write exercise 17.3 here. When a popular entry expires, every request in the next few
// milliseconds misses together; without this, each of them would query the store for the same
// row (a "stampede", or "dog-pile"). The first caller starts the load; the others wait for it.

import CourseSupport

/// Runs at most one load per key at a time; callers of a key already loading share its result.
public actor SingleFlight<Key: Hashable & Sendable, Value: Sendable> {
    private var inFlight: [Key: Task<Value, any Error>] = [:]
    /// Loads started (callers that shared a load do not count).
    public private(set) var loadsStarted = 0
    /// Callers that waited for a load another caller started.
    public private(set) var sharedWaits = 0

    public init() {}

    /// The result of `load` for `key`: started now when no load of `key` is running, otherwise the
    /// running one's. The load is forgotten when it ends, so a later call loads afresh.
    public func run(_ key: Key, _ load: @escaping @Sendable () async throws -> Value) async throws -> Value {
        // BEGIN EXERCISE 17.3: Join the running task of `key` if any (count a shared wait); otherwise start one (count it), remember it, await it, and forget it when it ends, success or failure.
        if let running = inFlight[key] {
            sharedWaits += 1
            return try await running.value
        }
        let task = Task { try await load() }
        inFlight[key] = task
        loadsStarted += 1
        defer { inFlight[key] = nil }
        return try await task.value
        // STUB: _ = Exercise.notImplemented("17.3", expected: "callers of a key already loading share its one load; a new load only when none is running")
        // STUB: loadsStarted += 1
        // STUB: return try await load()
        // END EXERCISE 17.3
    }

    /// Keys being loaded now.
    public var loading: Int { inFlight.count }
}
