// LESSON 03 STARTER, generated from Solutions/IMGateway/Readiness.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 11: "alive" and "ready" are different answers.
//
// A node that is shutting down is still alive (it finishes what it has), but it is no longer
// ready for new clients. `/health` says which: a load balancer that polls it stops sending new
// connections to a draining node before the node starts closing the ones it has.

import Synchronization

/// Whether this node takes new clients. Starts ready; `beginDraining` is one-way.
public final class Readiness: Sendable {
    private let draining = Atomic(false)

    public init() {}

    /// The node is shutting down: from now on `/health` answers 503.
    public func beginDraining() { draining.store(true, ordering: .releasing) }

    /// Whether the node is shutting down.
    public var isDraining: Bool { draining.load(ordering: .acquiring) }
}
