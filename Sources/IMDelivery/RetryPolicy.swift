// LESSON 04 STARTER, generated from Solutions/IMDelivery/RetryPolicy.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 04: how long to wait for a client's ACK, and how often to push again.

/// When an unacknowledged push is checked and re-pushed. The defaults follow the course's demo:
/// first check after 5 s, then at most 2 re-pushes 2 s apart.
public struct RetryPolicy: Sendable, Hashable {
    /// How long after the first push the ACK is first checked.
    public var firstCheck: Duration
    /// How long after each re-push the ACK is checked again.
    public var retryInterval: Duration
    /// How many times a push is repeated before the connection is given up.
    public var maxRetries: Int

    public init(firstCheck: Duration = .seconds(5), retryInterval: Duration = .seconds(2), maxRetries: Int = 2) {
        self.firstCheck = firstCheck
        self.retryInterval = retryInterval
        self.maxRetries = max(0, maxRetries)
    }
}
