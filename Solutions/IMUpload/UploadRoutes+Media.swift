// Lesson 14: the two routes of media messages — attach a finished upload to a message, and read
// it as a member of a conversation it was sent to.
//
//   POST /api/v1/uploads/{id}/message   {to, kind, clientMsgID?}: only the uploader may attach
//   GET  /api/v1/media/{id}             the bytes: for the uploader and the members of every
//                                       conversation the upload was sent to; 404 for anyone else

import Foundation
import HTTPTypes
import Hummingbird
import IMCore
import IMGateway
import NIOCore

extension UploadRoutes {
    func sendMessage(_ request: Request, _ context: IMRequestContext, chat: ChatService) async throws -> Response {
        let sender = try Self.owner(context)
        let id = Self.id(context)
        let body = try await request.body.collect(upTo: 4_096)
        guard let send = try? JSONDecoder().decode(MediaSendRequest.self, from: Data(body.readableBytesView)) else {
            throw UploadError(.badRequest, "the body must be {\"to\": user id, \"kind\": \"image|audio|video|file\"}")
        }
        return try await registry.locked(id) {
            var record = try await registry.record(id, of: sender)
            guard record.kind != .partial, record.isFinished, let sha256 = record.sha256 else {
                throw UploadError(.incomplete, "only a finished upload can be sent")
            }
            let reference = MediaReference(
                upload: id, kind: send.kind, type: record.metadata["filetype"] ?? "application/octet-stream",
                size: record.length, sha256: sha256, name: record.metadata["filename"])
            let text = String(decoding: try JSONEncoder().encode(MediaBody(media: reference)), as: UTF8.self)
            let message = try await chat.send(
                SendRequest(to: send.to, body: text, clientMsgID: send.clientMsgID), from: sender)
            // Readable by the conversation's members only once the message exists.
            let conversation = ConversationID.direct(sender, send.to)
            if !(record.conversations ?? []).contains(conversation) {
                record.conversations = (record.conversations ?? []) + [conversation]
                try await registry.update(record)
            }
            return Gateway.jsonResponse(["message": message], status: .created)
        }
    }

    func readMedia(_ context: IMRequestContext) async throws -> Response {
        let reader = try Self.owner(context)
        let record = try await registry.readable(Self.id(context), by: reader)
        guard let sha256 = record.sha256 else { throw UploadError.notFound }
        let bytes = try storage.readObject(sha256)
        var headers = HTTPFields()
        headers[.contentType] = record.metadata["filetype"] ?? "application/octet-stream"
        // Content-addressed: the hash is a strong validator, and the bytes never change.
        headers[.eTag] = "\"\(sha256)\""
        headers[.cacheControl] = "private, max-age=31536000, immutable"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
