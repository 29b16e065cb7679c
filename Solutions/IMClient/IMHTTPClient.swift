// The client library of the IM: the HTTP API (docs/PROTOCOL.md), used by `im-client` and the tests.

import AsyncHTTPClient
import Foundation
import IMCore
import IMSecurity
import NIOCore
import NIOHTTP1

/// A logged-in (or anonymous) client of the HTTP API.
public struct IMHTTPClient: Sendable {
    public let baseURL: String
    public var token: String?
    let http: HTTPClient
    /// Lesson 06: whom this client trusts and which keys it pins (nil: the system's roots, no pins).
    public let tls: ClientTLS?

    /// - Parameter baseURL: e.g. `http://127.0.0.1:8080` (no trailing slash needed).
    public init(baseURL: String, token: String? = nil, http: HTTPClient = .shared) {
        self.init(baseURL: baseURL, token: token, http: http, tls: nil)
    }

    /// A client of an `https` server (lesson 06).
    /// - Parameter tls: the roots to trust instead of the system's, and the key pins.
    public init(baseURL: String, token: String? = nil, tls: ClientTLS) throws {
        self.init(baseURL: baseURL, token: token, http: try TLSHTTPClients.client(for: tls), tls: tls)
    }

    init(baseURL: String, token: String?, http: HTTPClient, tls: ClientTLS?) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.http = http
        self.tls = tls
    }

    // MARK: Accounts

    public func register(username: String, password: String, displayName: String? = nil, deviceID: String? = nil)
        async throws -> Credentials
    {
        var body: [String: String] = ["username": username, "password": password]
        body["displayName"] = displayName
        body["deviceID"] = deviceID
        return try await call("POST", "/api/v1/register", json: body)
    }

    public func login(username: String, password: String, deviceID: String? = nil) async throws -> Credentials {
        var body = ["username": username, "password": password]
        body["deviceID"] = deviceID
        return try await call("POST", "/api/v1/login", json: body)
    }

    /// This client, carrying the token of `credentials`.
    public func authenticated(_ credentials: Credentials) -> IMHTTPClient {
        IMHTTPClient(baseURL: baseURL, token: credentials.token, http: http, tls: tls)
    }

    /// This client, carrying `token` (lesson 06: the newest token the server handed out).
    public func with(token: String) -> IMHTTPClient {
        IMHTTPClient(baseURL: baseURL, token: token, http: http, tls: tls)
    }

    /// Lesson 06: a fresh token for this session (`POST /api/v1/session/refresh`).
    public func refreshToken() async throws -> String {
        try await (call("POST", "/api/v1/session/refresh") as TokenBox).token
    }

    /// Lesson 06: the HttpDNS answer for `service` (`GET /api/v1/dns`).
    public func resolve(service: String, timeout: TimeAmount = .seconds(5)) async throws -> HttpDNSAnswer {
        let name = service.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? service
        return try await call("GET", "/api/v1/dns?service=\(name)", timeout: timeout)
    }

    /// `GET /health`: throws unless the server answers `200` within `timeout`.
    public func health(timeout: TimeAmount = .seconds(5)) async throws {
        try await raw("GET", "/health", timeout: timeout).check()
    }

    public func logout() async throws {
        let response = try await raw("POST", "/api/v1/logout")
        try response.check()
    }

    public func me() async throws -> User { try await (call("GET", "/api/v1/me") as UserBox).user }

    public func users() async throws -> [User] { try await (call("GET", "/api/v1/users") as UsersBox).users }

    // MARK: Messages

    public func send(to: UserID, body: String, clientMsgID: String? = nil) async throws -> Message {
        let request = SendRequest(to: to, body: body, clientMsgID: clientMsgID)
        return try await (call("POST", "/api/v1/messages", json: request) as MessageBox).message
    }

    public func contacts() async throws -> ContactList { try await call("GET", "/api/v1/contacts") }

    public func history(of conversation: ConversationID, before: MessageID? = nil, limit: Int? = nil) async throws
        -> HistoryPage
    {
        var query: [String] = []
        if let before { query.append("before=\(before.rawValue)") }
        if let limit { query.append("limit=\(limit)") }
        let suffix = query.isEmpty ? "" : "?" + query.joined(separator: "&")
        return try await call("GET", "/api/v1/conversations/\(conversation.rawValue)/messages\(suffix)")
    }

    /// Marks `conversation` read, up to the message numbered `upToSeq` when given.
    public func markRead(_ conversation: ConversationID, upToSeq: Int64? = nil, timeout: TimeAmount = .seconds(30))
        async throws -> ReadReceipt
    {
        let query = upToSeq.map { "?upToSeq=\($0)" } ?? ""
        return try await call("POST", "/api/v1/conversations/\(conversation.rawValue)/read\(query)", timeout: timeout)
    }

    /// Lesson 05: the messages of `conversation` numbered above `afterSeq` up to `throughSeq`.
    public func messages(in conversation: ConversationID, afterSeq: Int64, throughSeq: Int64? = nil) async throws
        -> [Message]
    {
        let through = throughSeq.map { "&throughSeq=\($0)" } ?? ""
        let page: HistoryPage = try await call(
            "GET", "/api/v1/conversations/\(conversation.rawValue)/messages?afterSeq=\(afterSeq)\(through)")
        return page.messages
    }

    /// Lesson 09: the timeline entries after `version`.
    public func sync(after version: Int64, limit: Int? = nil) async throws -> SyncPage {
        let query = limit.map { "&limit=\($0)" } ?? ""
        return try await call("GET", "/api/v1/sync?after=\(version)\(query)")
    }

    /// Short poll (`wait` nil) or long poll (`wait` seconds).
    public func poll(after: MessageID, wait: Int? = nil) async throws -> PollResult {
        let waitQuery = wait.map { "&wait=\($0)" } ?? ""
        let timeout = TimeAmount.seconds(Int64(wait ?? 0) + 30)
        return try await call("GET", "/api/v1/poll?after=\(after.rawValue)\(waitQuery)", timeout: timeout)
    }

    // MARK: Raw access (for tools and tests of bad input)

    /// Sends a request as it is and returns the status and body, whatever they are.
    public func raw(
        _ method: String, _ path: String, body: [UInt8]? = nil, headers: [(String, String)] = [],
        timeout: TimeAmount = .seconds(30)
    ) async throws -> RawResponse {
        if let tls, !tls.pins.isEmpty {
            // Lesson 06: the pin is checked on a handshake of its own (see `PinnedHandshake`).
            // Pins on a plaintext URL fail closed: nothing would be checked.
            guard let url = URL(string: baseURL), url.scheme == "https", let host = url.host else {
                throw SecurityError(.badPin, "key pins need an https:// server, not \(baseURL)")
            }
            try await PinnedHandshake.check(host: host, port: url.port ?? 443, tls: tls)
        }
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = HTTPMethod(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        let http = http
        let prepared = request
        // AsyncHTTPClient's own deadline answers first; ours, a moment later, only when it does not.
        return try await withHardDeadline(.nanoseconds(timeout.nanoseconds) + .seconds(2), "\(method) \(path)") {
            let response = try await http.execute(prepared, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
            return RawResponse(
                status: Int(response.status.code), body: Array(bytes.readableBytesView),
                headers: Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { $1 }))
        }
    }

    /// A JSON request to any route (later lessons' routes, such as `/api/v1/groups`): the answer
    /// decoded as `Response`, or the server's error.
    public func call<Response: Decodable>(
        _ method: String, _ path: String, json: (some Encodable)? = String?.none, timeout: TimeAmount = .seconds(30)
    ) async throws -> Response {
        let body = try json.map { Array(try JSONEncoder().encode($0)) }
        let response = try await raw(method, path, body: body, timeout: timeout)
        try response.check()
        do {
            return try JSONDecoder().decode(Response.self, from: Data(response.body))
        } catch {
            throw IMClientError.unreadableResponse(status: response.status, body: response.text)
        }
    }
}

/// What register and login return.
public struct Credentials: Codable, Sendable, Hashable {
    public let user: User
    public let token: String
    public let deviceID: DeviceID

    public init(user: User, token: String, deviceID: DeviceID) {
        self.user = user
        self.token = token
        self.deviceID = deviceID
    }
}

/// The recent-contacts list.
public struct ContactList: Codable, Sendable, Hashable {
    public let contacts: [RecentContact]
    public let totalUnread: Int
}

/// The answer to a poll.
public struct PollResult: Codable, Sendable, Hashable {
    public let messages: [Message]
    public let cursor: MessageID
}

/// A response as it came.
public struct RawResponse: Sendable {
    public let status: Int
    public let body: [UInt8]
    /// The response's header fields, names lowercased (a repeated field keeps its last value).
    public var headers: [String: String] = [:]
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The error of an error answer, if it has the documented shape.
    public var error: IMError? { try? JSONDecoder().decode(ErrorBox.self, from: Data(body)).error }

    /// Throws `IMClientError.server` unless the status is 2xx.
    public func check() throws {
        guard (200..<300).contains(status) else {
            guard let error else { throw IMClientError.unreadableResponse(status: status, body: text) }
            throw IMClientError.server(status: status, error)
        }
    }
}

private struct ErrorBox: Decodable { let error: IMError }
private struct UserBox: Decodable { let user: User }
private struct UsersBox: Decodable { let users: [User] }
private struct MessageBox: Decodable { let message: Message }
private struct TokenBox: Decodable { let token: String }
