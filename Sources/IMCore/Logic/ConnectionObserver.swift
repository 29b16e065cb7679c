// LESSON 01 STARTER, generated from Solutions/IMCore/Logic/ConnectionObserver.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// A seam for lesson 08, used by the gateway (lesson 03): who watches connections for silence.
//
// A phone that loses its network does not close its socket; the server sees nothing at all. Only
// silence tells, so something must see every frame and close connections that stay quiet too
// long. The gateway reports the life of each WebSocket to an observer; lesson 08's idle sweeper
// is the one the server plugs in. Without one, connections live until TCP gives up (hours).

/// Sees every WebSocket open, receive and close.
public protocol ConnectionObserver: Sendable {
    /// A connection was registered. `close` ends it (with a going-away close frame).
    func opened(_ connection: ConnectionID, close: @escaping @Sendable (String) -> Void)
    /// A frame arrived on `connection` (any frame: the client is alive).
    func received(on connection: ConnectionID)
    /// The connection ended and was unregistered.
    func closed(_ connection: ConnectionID)
}
