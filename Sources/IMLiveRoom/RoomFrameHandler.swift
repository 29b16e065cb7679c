// LESSON 10 STARTER, generated from Solutions/IMLiveRoom/RoomFrameHandler.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 10: the `room.*` frames, answered before the logic layer sees them.

import IMCore
import IMGateway

/// Answers `room.join`, `room.leave` and `room.post`; passes every other frame on.
struct RoomFrameHandler: FrameHandler {
    let hub: RoomHub
    let registry: SessionRegistry

    func handle(_ frame: ClientFrame, from identity: Identity, connection: ConnectionID) async -> FrameHandling {
        guard case .extension(let request) = frame, request.type.hasPrefix("room.") else { return .passed }
        do {
            switch request.type {
            case "room.join":
                let room = try request.payload(RoomRequest.self).room
                // The batches go to this connection's sink in the session map.
                guard let sink = await registry.entry(connection, of: identity.userID)?.sink else {
                    throw IMError(.forbidden, "this connection is not in the session map")
                }
                let info = try await hub.join(room, connection: connection, user: identity.userID, sink: sink)
                return .handled(reply: try .roomFrame("room.joined", ref: request.id, info))
            case "room.leave":
                let room = try request.payload(RoomRequest.self).room
                return .handled(
                    reply: try .roomFrame("room.left", ref: request.id, try await hub.leave(room, connection: connection)))
            case "room.post":
                let post = try request.payload(RoomPostRequest.self)
                let posted = try await hub.post(post, connection: connection, user: identity.userID)
                return .handled(reply: try .roomFrame("room.posted", ref: request.id, posted))
            default:
                throw IMError(.unknownType, "unknown frame type `\(request.type)`")
            }
        } catch {
            return .handled(reply: .error(ref: request.id, IMError(describing: error)))
        }
    }
}

extension ServerFrame {
    /// A `room.*` answer carrying `payload` as its `data`.
    static func roomFrame(_ type: String, ref: String?, _ payload: some Encodable) throws -> ServerFrame {
        .extension(type: type, ref: ref, data: try JSONValue(encoding: payload))
    }
}
