// Lesson 03, the seam of later lessons: what a lesson adds to the assembled server.
//
// Lesson 11 assembles the server from lessons 01–09. Later lessons add to it: HTTP routes (the
// tunnel of 13, uploads), answers to frames (flow control, live rooms), long-running services
// (push providers, caches), and settings of their own. If the server imported each of them, an
// early lesson would depend on every later one, and each new lesson would edit lesson 11. So a
// later lesson offers one `ServerExtension` value, built from its own configuration; the final
// composition (`IMComposition`, used by im-server and the tests) lists them, and `IMServer`
// composes whatever list it is given without knowing any of them.

import Hummingbird
import ServiceLifecycle

/// What one lesson contributes to the assembled server. Every requirement has a default that
/// adds nothing, so an extension states only what it adds.
public protocol ServerExtension: Sendable {
    /// A short name for logs and errors, e.g. `http-tunnel`.
    var name: String { get }

    /// Asked, in order, about every client frame before the logic layer is, on every transport
    /// (WebSocket and anything an extension carries frames over, through `context.frameResponder`).
    /// `gateway` lets a handler reach the connection a frame came over
    /// (`gateway.registry.entry(_:of:)`) and hear of connections closing (`gateway.connectionEvents`).
    func frameHandlers(gateway: Gateway) -> [any FrameHandler]

    /// Checks every HTTP request and WebSocket upgrade passes before its route or upgrade runs,
    /// in the order the extensions were given (lesson 12's limits per address). Asked once, when
    /// the server is made.
    var requestGates: [any RequestGate] { get }

    /// The extension's dotted frame types that carry core work (a group's messages), which
    /// lesson 12 keeps going under overload; its other frames are shed first.
    var coreFrameTypes: Set<String> { get }

    /// Adds the extension's routes. They come after the gateway's, so they share its error
    /// middleware; `context.gateway.authenticatedGroup` gives them the token check.
    func addRoutes(to router: Router<IMRequestContext>, context: ServerExtensionContext)

    /// Long-running parts. The server's application starts them ahead of its listener and, at
    /// shutdown, stops them after the listener has stopped, so no request reaches a stopped service.
    func makeServices(context: ServerExtensionContext) -> [any Service]
}

extension ServerExtension {
    public func frameHandlers(gateway: Gateway) -> [any FrameHandler] { [] }

    public var requestGates: [any RequestGate] { [] }

    public var coreFrameTypes: Set<String> { [] }

    public func addRoutes(to router: Router<IMRequestContext>, context: ServerExtensionContext) {}

    public func makeServices(context: ServerExtensionContext) -> [any Service] { [] }
}
