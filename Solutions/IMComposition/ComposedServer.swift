// The IM as shipped: lesson 11's server with every later lesson's extension.
//
// This is the one place that knows all the lessons. A new lesson adds its `ServerExtension` to
// the list below and its settings to `ComposedServerConfiguration`; lesson 11 stays as it is.
// im-server and the tests build their server here, so the tests run what im-server runs.

import IMCache
import IMGateway
import IMGroup
import IMLiveRoom
import IMObservability
import IMResilience
import IMServer
import IMStore
import IMTunnel
import IMUpload

/// Builds the shipped server.
public enum ComposedServer {
    /// The later lessons' extensions, in the order their frame handlers are asked.
    public static func extensions(_ configuration: ComposedServerConfiguration) -> [any ServerExtension] {
        [
            // Lesson 12 first: its handler sees every frame before any other lesson's does.
            Resilience(configuration: configuration.resilience),
            LiveRoom(configuration: configuration.liveRoom),  // lesson 10
            HTTPTunnel(configuration: configuration.tunnel),  // lesson 13
        ]
    }

    /// The extensions above, then those of later lessons that are built on the server's own parts
    /// (its database, its session map), then `extra` (tests of the seam add theirs), in the order
    /// their frame handlers are asked.
    public static func extensions(
        _ configuration: ComposedServerConfiguration, parts: IMServer.Parts, extra: [any ServerExtension] = []
    ) throws -> [any ServerExtension] {
        // Lesson 19 around all of them: first to count and open a message's trace, and last to
        // answer `send` (as the logic layer would, with its store and pushes observed).
        let observability = try Observability(configuration: configuration.observability, chat: parts.chat)
        return [observability] + extensions(configuration) + [
            Cache(configuration: configuration.cache, store: parts.store),  // lesson 17
            try GroupChat(
                configuration: configuration.group, database: parts.store.database, gateway: parts.gateway, chat: parts.chat),  // lesson 20
            try ResumableUploads(configuration: configuration.upload, directory: configuration.dataDirectory + "/uploads"),  // lesson 14
        ] + extra + [observability.delivery]
    }

    /// Lesson 11's server with the extensions above. Opens the store; nothing listens yet.
    public static func make(configuration: ComposedServerConfiguration) throws -> IMServer {
        try IMServer(configuration: configuration.server) { try extensions(configuration, parts: $0) }
    }
}
