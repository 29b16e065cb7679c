// LESSON 03 STARTER, generated from Solutions/IMGateway/Extensions/FrameHandler.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

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
}
