// Lesson 03: the HTTP API — accounts, sending, history, contacts, and short and long polling.

import Foundation
import Hummingbird
import IMCore
import NIOCore

/// The `/api/v1` routes (docs/PROTOCOL.md).
struct HTTPAPI: Sendable {
    /// Answers sends as the WebSocket's `send` frames are answered (the extensions' handlers first).
    let responder: FrameResponder
    let accounts: AccountService
    let longPolls: LongPollHub
    let registry: SessionRegistry
    let configuration: GatewayConfiguration
    var chat: ChatService { responder.chat }

    func addRoutes(to router: Router<IMRequestContext>) {
        let open = router.group("api/v1")
        open.post("register") { request, _ in try await register(request) }
        open.post("login") { request, context in try await login(request, from: context.clientAddress) }

        let api = router.group("api/v1").add(middleware: AuthMiddleware(accounts: accounts))
        api.post("logout") { _, context in
            try await accounts.logout(try context.requireIdentity())
            return Response(status: .noContent)
        }
        // Lesson 06: a fresh token for the caller's session (the old one stays valid until it expires).
        api.post("session/refresh") { _, context in
            let identity = try context.requireIdentity()
            return Response.json(["token": accounts.renewToken(for: identity)])
        }
        api.get("me") { _, context in try await me(context) }
        api.get("users") { _, context in try await users(context) }
        api.get("contacts") { _, context in try await contacts(context) }
        api.post("messages") { request, context in try await send(request, context) }
        api.get("conversations/:conversationID/messages") { request, context in try await history(request, context) }
        api.post("conversations/:conversationID/read") { request, context in try await markRead(request, context) }
        api.get("poll") { request, context in try await poll(request, context) }
        api.get("sync") { request, context in try await sync(request, context) }
    }

    // MARK: Accounts

    // The device id is read as a string and checked here, so that a bad one is answered
    // `invalid_argument` saying what a device id is, not `bad_frame`.
    private struct RegisterBody: Decodable {
        let username: String
        let password: String
        let displayName: String?
        let deviceID: String?
    }

    private struct LoginBody: Decodable {
        let username: String
        let password: String
        let deviceID: String?
    }

    private func deviceID(_ raw: String?) throws -> DeviceID? {
        guard let raw else { return nil }
        guard let id = DeviceID(rawValue: raw) else {
            throw IMError.invalidArgument("deviceID must be 1 to 64 characters of A-Z a-z 0-9 _ -")
        }
        return id
    }

    private func register(_ request: Request) async throws -> Response {
        let body = try await decode(RegisterBody.self, from: request)
        let result = try await accounts.register(
            username: body.username, password: body.password, displayName: body.displayName,
            deviceID: try deviceID(body.deviceID))
        return .json(result, status: .created)
    }

    private func login(_ request: Request, from address: String?) async throws -> Response {
        let body = try await decode(LoginBody.self, from: request)
        return .json(
            try await accounts.login(
                username: body.username, password: body.password, deviceID: try deviceID(body.deviceID), address: address))
    }

    private func me(_ context: IMRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        guard let user = try await chat.accounts.user(identity.userID) else { throw IMError.unauthorized }
        return .json(["user": user])
    }

    private func users(_ context: IMRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        return .json(["users": try await chat.accounts.directory(excluding: identity.userID, limit: 200)])
    }

    // MARK: Messages

    private struct ContactsBody: Encodable {
        let contacts: [RecentContact]
        let totalUnread: Int
    }

    private func contacts(_ context: IMRequestContext) async throws -> Response {
        let (contacts, total) = try await chat.contacts(of: try context.requireIdentity().userID)
        return .json(ContactsBody(contacts: contacts, totalUnread: total))
    }

    private func send(_ request: Request, _ context: IMRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let body = try await decode(SendRequest.self, from: request)
        // The same path as a `send` frame, on a connection id of its own (an HTTP request is no
        // connection of the session map: nothing is skipped when the message is pushed).
        switch await responder.answer(.send(id: nil, body), from: identity, connection: registry.makeConnectionID()) {
        case .ack(_, let message): return .json(["message": message], status: .created)
        case .error(_, let error): throw error
        default: throw IMError(.internal, "a send was answered with neither an ack nor an error")
        }
    }

    private func history(_ request: Request, _ context: IMRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let conversation = try conversationID(in: context)
        let query = request.uri.queryParameters
        // Lesson 05: `afterSeq` (and optional `throughSeq`) pulls a gap by seq instead of paging by id.
        if let afterSeq = try query.get("afterSeq").map({ try integer($0, name: "afterSeq") }) {
            let through = try query.get("throughSeq").map { try integer($0, name: "throughSeq") } ?? Int64.max
            let messages = try await chat.messages(
                in: conversation, for: identity.userID, seqAfter: afterSeq, through: through)
            // A full page may have more behind it: ask again after its last seq.
            return .json(HistoryPage(messages: messages, hasMore: messages.count >= chat.limits.maxHistoryPage))
        }
        let before = try query.get("before").map { MessageID(try integer($0, name: "before")) }
        let limit = try query.get("limit").map { Int(try integer($0, name: "limit")) }
        return .json(try await chat.history(of: conversation, for: identity.userID, before: before, limit: limit))
    }

    private func markRead(_ request: Request, _ context: IMRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let upToSeq = try request.uri.queryParameters.get("upToSeq").map { try integer($0, name: "upToSeq") }
        return .json(try await chat.markRead(try conversationID(in: context), by: identity.userID, upTo: upToSeq))
    }

    /// Lesson 09: the timeline after `after`, in pages of at most `limit`.
    private func sync(_ request: Request, _ context: IMRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let query = request.uri.queryParameters
        let after = try query.get("after").map { try integer($0, name: "after") } ?? 0
        let limit = try query.get("limit").map { Int(try integer($0, name: "limit")) }
        return .json(try await chat.sync(for: identity.userID, after: after, limit: limit))
    }

    private struct PollBody: Encodable {
        let messages: [Message]
        let cursor: MessageID
    }

    /// Short poll (no `wait`) or long poll (`wait` seconds, capped by the configuration).
    private func poll(_ request: Request, _ context: IMRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let query = request.uri.queryParameters
        let after = MessageID(try query.get("after").map { try integer($0, name: "after") } ?? 0)
        let waitSeconds = try query.get("wait").map { try integer($0, name: "wait") } ?? 0
        let wait = min(Duration.seconds(max(waitSeconds, 0)), configuration.longPollMaxWait)
        let chat = chat
        let messages = try await longPolls.poll(for: identity.userID, timeout: wait) {
            try await chat.poll(for: identity.userID, after: after)
        }
        return .json(PollBody(messages: messages, cursor: messages.last?.id ?? after))
    }

    // MARK: Parsing

    private func decode<Body: Decodable>(_: Body.Type, from request: Request) async throws -> Body {
        let buffer = try await request.body.collect(upTo: configuration.maxRequestBodyBytes)
        do {
            return try JSONCoding.decoder.decode(Body.self, from: Data(buffer.readableBytesView))
        } catch let error as IMError {
            throw error  // a well-formed field with a value not allowed: `invalid_argument`
        } catch {
            throw IMError.badFrame("request body is not the JSON this endpoint expects")
        }
    }

    private func conversationID(in context: IMRequestContext) throws -> ConversationID {
        let raw = context.parameters.get("conversationID") ?? ""
        guard let id = ConversationID(rawValue: raw.removingPercentEncoding ?? raw) else {
            throw IMError.invalidArgument("`\(raw)` is not a conversation id")
        }
        return id
    }

    private func integer(_ raw: String, name: String) throws -> Int64 {
        guard let value = Int64(raw), value >= 0 else { throw IMError.invalidArgument("`\(name)` must be a whole number ≥ 0") }
        return value
    }
}
