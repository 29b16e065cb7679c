// Lesson 03, the seam of later lessons: a frame answered before the logic layer sees it.
//
// Flow control refuses a `send` over its rate, a live room answers the frames of its room: such
// a lesson needs a word on a frame before it reaches `ChatService`, whatever transport carried
// it. A `FrameHandler` is that word. The server asks its extensions' handlers in order; the
// first that handles a frame answers it, and nothing after it sees that frame.

import IMCore

/// What a frame handler did with a frame.
public enum FrameHandling: Sendable {
    /// Not this handler's business: the next handler (and in the end the logic layer) gets it.
    case passed
    /// Handled here. `reply` goes back to the client (nil: nothing is answered).
    case handled(reply: ServerFrame?)
}

/// Sees client frames before the logic layer does.
public protocol FrameHandler: Sendable {
    /// Handles `frame` of `identity`, which came over `connection`, or passes it on.
    func handle(_ frame: ClientFrame, from identity: Identity, connection: ConnectionID) async -> FrameHandling

    /// Answers `frame` around the rest of the chain: `next` asks the handlers after this one, then
    /// the logic layer, and returns their answer. The default asks `handle` and calls `next` when
    /// it passes. A handler that must see the answer, or how long it took, implements this one
    /// instead (lesson 12 measures the logic layer's latency and counts its failures).
    func answer(
        _ frame: ClientFrame, from identity: Identity, connection: ConnectionID, next: () async -> ServerFrame?
    ) async -> ServerFrame?
}

extension FrameHandler {
    public func handle(_ frame: ClientFrame, from identity: Identity, connection: ConnectionID) async -> FrameHandling {
        .passed
    }

    public func answer(
        _ frame: ClientFrame, from identity: Identity, connection: ConnectionID, next: () async -> ServerFrame?
    ) async -> ServerFrame? {
        switch await handle(frame, from: identity, connection: connection) {
        case .handled(let reply): reply
        case .passed: await next()
        }
    }
}
