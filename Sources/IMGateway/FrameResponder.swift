// LESSON 03 STARTER, generated from Solutions/IMGateway/FrameResponder.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03 (shared with lesson 13): what the server answers to each client frame.
//
// A WebSocket and an HTTP tunnel session carry the same frames; this is the one place that turns
// a request frame into a call on the logic layer and its answer, whatever carried it. Later
// lessons' frame handlers (`ServerExtension.frameHandlers(gateway:)`) are asked first.

import IMCore

/// Carries out client requests on the logic layer.
public struct FrameResponder: Sendable {
    public let chat: ChatService
    /// Asked in order before the logic layer; the first that handles a frame answers it.
    public let handlers: [any FrameHandler]

    public init(chat: ChatService, handlers: [any FrameHandler] = []) {
        self.chat = chat
        self.handlers = handlers
    }

    /// The first frame of a session of `identity`.
    public func hello(for identity: Identity) async throws -> Hello {
        guard let user = try await chat.accounts.user(identity.userID) else { throw IMError.unauthorized }
        let cursor = try await chat.store.latestMessageID(for: identity.userID)
        let version = try await chat.store.headVersion(of: identity.userID)
        // Lesson 06: a token past half its life is renewed on (re)connect; the client keeps the newest.
        return Hello(
            user: user, deviceID: identity.deviceID, cursor: cursor, version: version, token: identity.refreshedToken)
    }

    /// Carries out one request and returns the frame that answers it (nil for frames never answered).
    public func answer(_ frame: ClientFrame, from identity: Identity, connection: ConnectionID) async -> ServerFrame? {
        await answer(frame, from: identity, connection: connection, handlersFrom: 0)
    }

    /// The handlers from `index` on, each around the ones after it, then the logic layer.
    private func answer(
        _ frame: ClientFrame, from identity: Identity, connection: ConnectionID, handlersFrom index: Int
    ) async -> ServerFrame? {
        guard index < handlers.count else { return await logicAnswer(frame, from: identity) }
        return await handlers[index].answer(frame, from: identity, connection: connection) {
            await answer(frame, from: identity, connection: connection, handlersFrom: index + 1)
        }
    }

    /// The logic layer's answer.
    private func logicAnswer(_ frame: ClientFrame, from identity: Identity) async -> ServerFrame? {
        do {
            switch frame {
            case .send(let id, let request):
                return .ack(ref: id, try await chat.send(request, from: identity.userID))
            case .read(let id, let conversation, let upToSeq):
                return .read(ref: id, try await chat.markRead(conversation, by: identity.userID, upTo: upToSeq))
            case .ping(let id):
                return .pong(ref: id)
            case .sync(let id, let request):
                return .sync(ref: id, try await chat.sync(for: identity.userID, after: request.after, limit: request.limit))
            case .pushAck, .pushAcks:
                return nil
            case .extension(let frame):
                // A dotted type that no extension of this server owns.
                return .error(ref: frame.id, IMError(.unknownType, "unknown frame type `\(frame.type)`"))
            }
        } catch {
            return .error(ref: frame.requestID, IMError(describing: error))
        }
    }
}
