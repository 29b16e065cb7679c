// LESSON 20 STARTER, generated from Solutions/IMGroup/GroupFrameHandler.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 20: the `group.*` frames, on every transport (WebSocket, HTTP tunnel).
//
// The gateway's codec turns every frame whose type has a dot into an `ExtensionFrame`; this
// handler answers those that start with `group.` and passes everything else on. Each answer has
// the request's type and its id as `ref`; a refusal is an `error` frame with the same `ref`.

import Foundation
import IMCore
import IMGateway

/// Answers `group.create`, `group.add`, `group.remove`, `group.send`, `group.history`,
/// `group.read`, `group.sync` and `group.members`.
struct GroupFrameHandler: FrameHandler {
    let service: GroupService

    private struct GroupRef: Decodable {
        let group: GroupID
    }

    private struct AddBody: Decodable {
        let group: GroupID
        let users: [UserID]
    }

    private struct RemoveBody: Decodable {
        let group: GroupID
        let user: UserID
    }

    private struct SendBody: Decodable {
        let group: GroupID
        let body: String
        let clientMsgID: String?
    }

    private struct HistoryBody: Decodable {
        let group: GroupID
        let after: Int64?
        let before: Int64?
        let limit: Int?
    }

    private struct ReadBody: Decodable {
        let group: GroupID
        let upToSeq: Int64?
    }

    func handle(_ frame: ClientFrame, from identity: Identity, connection: ConnectionID) async -> FrameHandling {
        guard case .extension(let request) = frame, request.type.hasPrefix("group.") else { return .passed }
        do {
            let data = try await answer(request, user: identity.userID, connection: connection)
            return .handled(reply: .extension(type: request.type, ref: request.id, data: try JSONValue(encoding: data)))
        } catch {
            return .handled(reply: .error(ref: request.id, IMError(describing: error)))
        }
    }

    private func answer(_ request: ExtensionFrame, user: UserID, connection: ConnectionID) async throws -> any Encodable {
        switch request.type {
        case GroupFrameType.create:
            let body = try request.payload(CreateGroupBody.self)
            return try await service.create(name: body.name, members: body.members ?? [], by: user)
        case GroupFrameType.add:
            let body = try request.payload(AddBody.self)
            return try await service.add(body.users, to: body.group, by: user)
        case GroupFrameType.remove:
            let body = try request.payload(RemoveBody.self)
            return try await service.remove(body.user, from: body.group, by: user)
        case GroupFrameType.send:
            let body = try request.payload(SendBody.self)
            let message = try await service.send(
                body.body, clientMsgID: body.clientMsgID, to: body.group, from: user, connection: connection)
            return ["message": message]
        case GroupFrameType.history:
            let body = try request.payload(HistoryBody.self)
            return try await service.history(of: body.group, for: user, after: body.after, before: body.before, limit: body.limit)
        case GroupFrameType.read:
            let body = try request.payload(ReadBody.self)
            return try await service.markRead(body.group, by: user, upTo: body.upToSeq, connection: connection)
        case GroupFrameType.sync:
            return ["groups": try await service.sync(for: user)]
        case GroupFrameType.members:
            let body = try request.payload(GroupRef.self)
            return ["members": try await service.members(of: body.group, for: user)]
        default:
            throw IMError(.unknownType, "unknown frame type `\(request.type)`")
        }
    }
}
