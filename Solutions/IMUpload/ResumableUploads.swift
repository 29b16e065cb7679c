// Lesson 14: resumable uploads as a ServerExtension — tus 1.0.0 on /api/v1/uploads.
//
//   OPTIONS /api/v1/uploads        what the server supports (no token needed)
//   POST    /api/v1/uploads        create an upload (creation, creation-with-upload,
//                                  concatenation, instant upload by `sha256` metadata)
//   HEAD    /api/v1/uploads/{id}   where the upload stands (Upload-Offset)
//   PATCH   /api/v1/uploads/{id}   append a chunk at Upload-Offset
//   DELETE  /api/v1/uploads/{id}   terminate the upload
//   POST    /api/v1/uploads/{id}/message, GET /api/v1/media/{id}: media messages (not tus)
//
// Every route but OPTIONS needs the session token, like the rest of /api/v1, and an upload
// belongs to the user who created it. The composition lists this extension; the server does
// not know it.

import Foundation
import Hummingbird
import IMCore
import IMGateway
import ServiceLifecycle

/// The resumable-upload service of one server: its storage, its records and its routes.
public struct ResumableUploads: ServerExtension {
    public var name: String { "uploads" }

    public let configuration: UploadConfiguration
    public let storage: any UploadStorage
    public let registry: UploadRegistry

    /// Opens the uploads in `configuration.directory` (or `directory` when that is nil), with
    /// `storage` for the bytes (a folder there by default).
    public init(
        configuration: UploadConfiguration = UploadConfiguration(), directory: String, storage: (any UploadStorage)? = nil
    ) throws {
        self.configuration = configuration
        let root = configuration.directory ?? directory
        self.storage = try storage ?? FileUploadStorage(root: root)
        registry = try UploadRegistry(folder: root + "/info")
    }

    public func addRoutes(to router: Router<IMRequestContext>, context: ServerExtensionContext) {
        let routes = UploadRoutes(uploads: self)
        // Discovery carries no token (a browser's CORS preflight cannot send one).
        router.on("api/v1/uploads", method: .options) { _, _ in routes.options() }
        let group = context.gateway.authenticatedGroup("api/v1/uploads", of: router)
        group.post { request, context in try await routes.answer { try await routes.create(request, context) } }
        group.on(":id", method: .head) { request, context in
            try await routes.answer { try await routes.head(request, context) }
        }
        group.patch(":id") { request, context in try await routes.answer { try await routes.patch(request, context) } }
        group.delete(":id") { request, context in
            try await routes.answer { try await routes.terminate(request, context) }
        }
        let chat = context.chat
        group.post(":id/message") { request, context in
            try await routes.answer { try await routes.sendMessage(request, context, chat: chat) }
        }
        let media = context.gateway.authenticatedGroup("api/v1/media", of: router)
        media.get(":id") { _, context in try await routes.answer { try await routes.readMedia(context) } }
    }

    public func makeServices(context: ServerExtensionContext) -> [any Service] {
        [UploadSweeper(uploads: self, logger: context.logger)]
    }

    /// Removes every expired unfinished upload; returns how many.
    public func sweep(now: Date) async -> Int {
        var removed = 0
        for candidate in await registry.expired(at: now) {
            // A PATCH in progress may move the expiry: check again while holding the upload.
            let gone = try? await registry.locked(candidate.id) { () async -> Bool in
                guard let record = await registry.all()[candidate.id], record.isExpired(at: now) else { return false }
                await remove(record)
                return true
            }
            if gone == true { removed += 1 }
        }
        return removed
    }

    /// Removes an upload's record and bytes; its object too when no other upload refers to it.
    func remove(_ record: UploadRecord) async {
        await registry.remove(record.id)
        storage.removePartial(record.id)
        if let sha256 = record.sha256, await !registry.isReferenced(sha256) { storage.removeObject(sha256) }
    }
}
