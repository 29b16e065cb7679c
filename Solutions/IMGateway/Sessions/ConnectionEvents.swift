// Lesson 03, the seam of later lessons: everyone who must hear of a WebSocket's life.
//
// Lesson 08's idle sweeper watches every connection; a live room (lesson 10) must forget a viewer
// whose connection ended, however it ended. The gateway tells this one list, and the list tells
// each observer: the one the server was built with, then those extensions added.

import IMCore
import Synchronization

/// Hands every WebSocket open, frame and close to each of its observers, in the order added.
public final class ConnectionEvents: ConnectionObserver {
    private let observers: Mutex<[any ConnectionObserver]>

    public init(_ first: (any ConnectionObserver)? = nil) {
        observers = Mutex(first.map { [$0] } ?? [])
    }

    /// Adds an observer; it hears of connections opened from now on (and of frames and closes of
    /// those already open).
    public func add(_ observer: any ConnectionObserver) {
        observers.withLock { $0.append(observer) }
    }

    public func opened(_ connection: ConnectionID, close: @escaping @Sendable (String) -> Void) {
        for observer in observers.withLock({ $0 }) { observer.opened(connection, close: close) }
    }

    public func received(on connection: ConnectionID) {
        for observer in observers.withLock({ $0 }) { observer.received(on: connection) }
    }

    public func closed(_ connection: ConnectionID) {
        for observer in observers.withLock({ $0 }) { observer.closed(connection) }
    }
}
