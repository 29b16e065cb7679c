// LESSON 11 STARTER, generated from Solutions/IMServer/IMServer+Extensions.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 11: how the server hands itself to later lessons' extensions (IMGateway's seam).

import IMGateway
import Logging

extension IMServer {
    /// Answers client frames on every transport: the extensions' frame handlers in the order the
    /// extensions were given, then the logic layer.
    public var frameResponder: FrameResponder {
        FrameResponder(chat: chat, handlers: extensions.flatMap { $0.frameHandlers(gateway: gateway) })
    }

    /// The parts of this server an extension may use.
    public func extensionContext(logger: Logger) -> ServerExtensionContext {
        ServerExtensionContext(gateway: gateway, chat: chat, frameResponder: frameResponder, logger: logger)
    }

    /// The first extension of type `Extension`, for code that needs it back (tests, tools).
    public func serverExtension<Extension: ServerExtension>(_: Extension.Type) -> Extension? {
        extensions.lazy.compactMap { $0 as? Extension }.first
    }
}
