// LESSON 20 STARTER, generated from Solutions/IMGroup/GroupChat.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 20: groups join the server as a `ServerExtension` (lesson 03's seam).
//
// The group frames (`group.*`, on every transport) are answered by its frame handler; the same
// operations are HTTP routes under /api/v1/groups. Its tables live in the server's SQLite file;
// its pushes go through the gateway's session map. Lesson 11's server does not know it; the
// composition lists it.

import Foundation
import GRDB
import Hummingbird
import IMCore
import IMGateway
import ServiceLifecycle

/// Groups of up to 10,000 members in the assembled server.
public struct GroupChat: ServerExtension {
    public var name: String { "groups" }
    public let service: GroupService

    public func frameHandlers(gateway: Gateway) -> [any FrameHandler] { [GroupFrameHandler(service: service)] }

    /// A group's messages and catching up on them are core work: under overload (lesson 12) they
    /// keep going while read marks and membership changes are shed first.
    public var coreFrameTypes: Set<String> { [GroupFrameType.send, GroupFrameType.sync, GroupFrameType.history] }

    /// Creates the group tables in `database` (the server's) when they are missing.
    public init(
        configuration: GroupConfiguration = GroupConfiguration(), database: any DatabaseWriter, gateway: Gateway,
        chat: ChatService
    ) throws {
        service = GroupService(
            store: try GroupStore(database: database, configuration: configuration), registry: gateway.registry, chat: chat)
    }

    /// The lane that fans group messages out after their senders have been answered.
    public func makeServices(context: ServerExtensionContext) -> [any Service] { [service.pushLane] }

    public func addRoutes(to router: Router<IMRequestContext>, context: ServerExtensionContext) {
        let routes = GroupRoutes(service: service, maxBodyBytes: context.gateway.configuration.maxRequestBodyBytes)
        let group = context.gateway.authenticatedGroup("api/v1/groups", of: router)
        group.get { _, context in try await routes.sync(context) }
        group.post { request, context in try await routes.create(request, context) }
        group.get(":group/members") { _, context in try await routes.members(context) }
        group.post(":group/members") { request, context in try await routes.add(request, context) }
        group.delete(":group/members/:user") { _, context in try await routes.remove(context) }
        group.post(":group/messages") { request, context in try await routes.send(request, context) }
        group.get(":group/messages") { request, context in try await routes.history(request, context) }
        group.post(":group/read") { request, context in try await routes.read(request, context) }
    }
}

/// The request bodies of the group routes and frames.
struct CreateGroupBody: Decodable {
    let name: String
    let members: [UserID]?
}

struct AddMembersBody: Decodable {
    let users: [UserID]
}

struct GroupSendBody: Decodable {
    let body: String
    let clientMsgID: String?
}

/// The `/api/v1/groups` routes (docs/PROTOCOL.md).
struct GroupRoutes: Sendable {
    let service: GroupService
    let maxBodyBytes: Int

    func sync(_ context: IMRequestContext) async throws -> Response {
        Gateway.jsonResponse(["groups": try await service.sync(for: try user(context))])
    }

    func create(_ request: Request, _ context: IMRequestContext) async throws -> Response {
        let body = try await decode(CreateGroupBody.self, request)
        let summary = try await service.create(name: body.name, members: body.members ?? [], by: try user(context))
        return Gateway.jsonResponse(summary, status: .created)
    }

    func members(_ context: IMRequestContext) async throws -> Response {
        Gateway.jsonResponse(["members": try await service.members(of: try group(context), for: try user(context))])
    }

    func add(_ request: Request, _ context: IMRequestContext) async throws -> Response {
        let body = try await decode(AddMembersBody.self, request)
        return Gateway.jsonResponse(try await service.add(body.users, to: try group(context), by: try user(context)))
    }

    func remove(_ context: IMRequestContext) async throws -> Response {
        let member = UserID(try Self.integer(context.parameters.get("user"), name: "user"))
        return Gateway.jsonResponse(try await service.remove(member, from: try group(context), by: try user(context)))
    }

    func send(_ request: Request, _ context: IMRequestContext) async throws -> Response {
        let body = try await decode(GroupSendBody.self, request)
        let message = try await service.send(
            body.body, clientMsgID: body.clientMsgID, to: try group(context), from: try user(context), connection: nil)
        return Gateway.jsonResponse(["message": message], status: .created)
    }

    func history(_ request: Request, _ context: IMRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let page = try await service.history(
            of: try group(context), for: try user(context),
            after: try query.get("after").map { try Self.integer($0, name: "after") },
            before: try query.get("before").map { try Self.integer($0, name: "before") },
            limit: try query.get("limit").map { Int(try Self.integer($0, name: "limit")) })
        return Gateway.jsonResponse(page)
    }

    func read(_ request: Request, _ context: IMRequestContext) async throws -> Response {
        let upTo = try request.uri.queryParameters.get("upToSeq").map { try Self.integer($0, name: "upToSeq") }
        return Gateway.jsonResponse(
            try await service.markRead(try group(context), by: try user(context), upTo: upTo, connection: nil))
    }

    // MARK: Parsing

    private func user(_ context: IMRequestContext) throws -> UserID {
        guard let identity = context.identity else { throw IMError.unauthorized }
        return identity.userID
    }

    private func group(_ context: IMRequestContext) throws -> GroupID {
        GroupID(try Self.integer(context.parameters.get("group"), name: "group"))
    }

    private func decode<Body: Decodable>(_: Body.Type, _ request: Request) async throws -> Body {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBodyBytes)
        } catch {
            throw IMError(.frameTooLarge, "the request body is larger than \(maxBodyBytes) bytes")
        }
        do {
            return try JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView))
        } catch {
            throw IMError.badFrame("request body is not the JSON this endpoint expects")
        }
    }

    static func integer(_ raw: String?, name: String) throws -> Int64 {
        guard let raw, let value = Int64(raw), value >= 0 else {
            throw IMError.invalidArgument("`\(name)` must be a whole number ≥ 0")
        }
        return value
    }
}
