// Test support: waiting for something asynchronous without fixed sleeps.

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
public func eventually(
    timeout: Duration = .seconds(5), _ condition: @Sendable () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
