// LESSON 13 STARTER, generated from Solutions/IMTunnel/HTTPTunnel.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 13: the tunnel's routes — the frames of a WebSocket, carried by ordinary HTTP requests.
//
//   POST   /api/v1/tunnel                         open a session: its id and the hello
//   POST   /api/v1/tunnel/{session}/up            a numbered batch of client frames
//   GET    /api/v1/tunnel/{session}/down?after=N  the server frames after N (long poll)
//   DELETE /api/v1/tunnel/{session}               close the session
//
// Every route needs the session token; a session id belongs to the user who opened it.
//
// The tunnel joins the server as a `ServerExtension` (lesson 03's seam): its routes go next to
// the gateway's, its sessions into the gateway's session map, its frames through the server's
// frame responder. Lesson 11's server does not know it; the composition lists it.

import Foundation
import Hummingbird
import IMCore
import IMGateway
import NIOCore

/// The HTTP tunnel of one server: its sessions and its routes.
public struct HTTPTunnel: ServerExtension {
    public var name: String { "http-tunnel" }

    public let configuration: TunnelConfiguration
    public let hub: TunnelHub

    public init(configuration: TunnelConfiguration = TunnelConfiguration()) {
        self.configuration = configuration
        hub = TunnelHub(configuration: configuration)
    }

    /// Adds the tunnel routes to `router`, next to the gateway's (whose error middleware they share).
    /// Sessions are registered in the gateway's session map, tracked like its WebSockets, and
    /// answered by the server's frame responder, so a tunnel behaves like a WebSocket.
    public func addRoutes(to router: Router<IMRequestContext>, context: ServerExtensionContext) {
        let gateway = context.gateway
        let routes = Routes(
            hub: hub, configuration: configuration, registry: gateway.registry, pushTracking: gateway.pushTracking,
            responder: context.frameResponder, codec: FrameCodec(maxFrameBytes: gateway.configuration.maxFrameBytes))
        let group = gateway.authenticatedGroup("api/v1/tunnel", of: router)
        group.post { _, context in try await routes.open(context) }
        group.post(":session/up") { request, context in try await routes.upload(request, context) }
        group.get(":session/down") { request, context in try await routes.down(request, context) }
        group.delete(":session") { _, context in try await routes.close(context) }
    }

    /// The handlers, with everything they need.
    struct Routes: Sendable {
        let hub: TunnelHub
        let configuration: TunnelConfiguration
        let registry: SessionRegistry
        let pushTracking: (any PushTrackerFactory)?
        let responder: FrameResponder
        let codec: FrameCodec

        func open(_ context: IMRequestContext) async throws -> Response {
            let identity = try Self.identity(context)
            let (session, hello) = try await hub.open(
                identity: identity, registry: registry, pushTracking: pushTracking, responder: responder)
            let opened = TunnelOpened(
                session: session.id, hello: hello, maxPollWaitSeconds: Int(configuration.maxPollWait.components.seconds),
                maxBatch: configuration.maxBatch, idleTimeoutSeconds: Int(configuration.idleTimeout.components.seconds))
            return Gateway.jsonResponse(opened, status: .created)
        }

        func upload(_ request: Request, _ context: IMRequestContext) async throws -> Response {
            let session = try await session(context)
            let body = try await request.body.collect(upTo: configuration.maxUploadBytes)
            let upload: TunnelUpload
            do {
                upload = try JSONDecoder().decode(TunnelUpload.self, from: Data(body.readableBytesView))
            } catch {
                throw IMError.badFrame("body is not {\"seq\": n, \"frames\": [...]}")
            }
            guard upload.frames.count <= configuration.maxBatch else {
                throw IMError(
                    .frameTooLarge, "a batch of \(upload.frames.count) frames exceeds the limit of \(configuration.maxBatch)")
            }
            // Every frame is read before any is applied: a bad batch changes nothing.
            let frames = try upload.frames.map { try codec.decodeClientFrame($0.jsonBytes) }
            let applied = try await session.upload(seq: upload.seq, frames: frames, responder: responder)
            return Gateway.jsonResponse(TunnelUploadResult(seq: upload.seq, applied: applied))
        }

        func down(_ request: Request, _ context: IMRequestContext) async throws -> Response {
            let session = try await session(context)
            let query = request.uri.queryParameters
            let after = try query.get("after").map { try Self.number($0, name: "after") } ?? 0
            let waitSeconds = try query.get("wait").map { try Self.number($0, name: "wait") } ?? 0
            let wait = min(Duration.seconds(Int64(clamping: waitSeconds)), configuration.maxPollWait)
            let contents = await session.poll(after: after, limit: configuration.maxBatch, wait: wait)
            return Self.encode(contents)
        }

        func close(_ context: IMRequestContext) async throws -> Response {
            try await session(context).close(reason: "closed by the client")
            return Response(status: .noContent)
        }

        // MARK: Helpers

        private func session(_ context: IMRequestContext) async throws -> TunnelSession {
            try await hub.session(context.parameters.get("session") ?? "", of: try Self.identity(context))
        }

        private static func identity(_ context: IMRequestContext) throws -> Identity {
            guard let identity = context.identity else { throw IMError.unauthorized }
            return identity
        }

        private static func number(_ raw: String, name: String) throws -> UInt64 {
            guard let value = UInt64(raw) else { throw IMError.invalidArgument("`\(name)` must be a whole number ≥ 0") }
            return value
        }

        /// The frames are the codec's own text, spliced in as JSON objects (no decode and re-encode).
        private static func encode(_ contents: TunnelDownPage.Contents) -> Response {
            let codec = FrameCodec()
            let items = contents.items.map { "{\"seq\":\($0.seq),\"frame\":\(codec.encode($0.frame))}" }
            let closed = contents.closed.map {
                String(decoding: (try? JSONEncoder().encode($0)) ?? Data("\"\"".utf8), as: UTF8.self)
            }
            let json = "{\"frames\":[\(items.joined(separator: ","))],\"closed\":\(closed ?? "null")}"
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: json)))
        }
    }
}
