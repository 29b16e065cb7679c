// LESSON 03 STARTER, generated from Solutions/IMGateway/Extensions/ServerExtensionContext.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03, the seam of later lessons: the parts of the assembled server an extension may use.

import IMCore
import Logging

/// What the server hands its extensions: the access layer, the logic layer, and the one frame
/// responder every transport answers through.
public struct ServerExtensionContext: Sendable {
    /// The session map, push tracking, token check and limits of the access layer.
    public let gateway: Gateway
    /// The logic layer.
    public let chat: ChatService
    /// Answers client frames: the extensions' frame handlers first, then the logic layer. A
    /// transport added by an extension answers through it, so it behaves like the WebSocket.
    public let frameResponder: FrameResponder
    public let logger: Logger

    public init(gateway: Gateway, chat: ChatService, frameResponder: FrameResponder, logger: Logger) {
        self.gateway = gateway
        self.chat = chat
        self.frameResponder = frameResponder
        self.logger = logger
    }
}
