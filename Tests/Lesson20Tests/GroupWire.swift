// Lesson 20 tests: group requests over real HTTP and real WebSocket frames.

import Foundation
import IMClient
import IMCore
import IMGroup
import IMTestSupport

/// HTTP calls of the group routes as `user`.
struct GroupHTTP {
    let user: TestUser

    func create(_ name: String, members: [UserID]) async throws -> GroupSummary {
        try await call("POST", "/api/v1/groups", ["name": AnyEncodable(name), "members": AnyEncodable(members)])
    }

    func send(_ group: GroupID, _ body: String) async throws -> GroupMessage {
        let box: [String: GroupMessage] = try await call("POST", "/api/v1/groups/\(group)/messages", ["body": AnyEncodable(body)])
        return box["message"]!
    }

    func sync() async throws -> [GroupSummary] {
        let box: [String: [GroupSummary]] = try await call("GET", "/api/v1/groups", nil)
        return box["groups"] ?? []
    }

    func history(_ group: GroupID, after: Int64) async throws -> GroupHistoryPage {
        try await call("GET", "/api/v1/groups/\(group)/messages?after=\(after)", nil)
    }

    func raw(_ method: String, _ path: String, _ body: [String: AnyEncodable]?) async throws -> RawResponse {
        try await user.http.raw(method, path, body: try body.map { Array(try JSONEncoder().encode($0)) })
    }

    private func call<T: Decodable>(_ method: String, _ path: String, _ body: [String: AnyEncodable]?) async throws -> T {
        let response = try await raw(method, path, body)
        try response.check()
        return try JSONDecoder().decode(T.self, from: Data(response.body))
    }
}

/// Any encodable value, for ad-hoc JSON bodies.
struct AnyEncodable: Encodable, Sendable {
    let value: any Encodable & Sendable
    init(_ value: any Encodable & Sendable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

extension IMWebSocketClient {
    /// Sends a `group.*` frame and returns the answer's data, or throws the error frame's error.
    func group<T: Decodable>(
        _ type: String, id: String, _ data: [String: AnyEncodable], as _: T.Type = T.self
    ) async throws -> T {
        let json = try JSONValue(json: Array(try JSONEncoder().encode(data)))
        send(.extension(ExtensionFrame(type: type, id: id, data: json)))
        let frame = try await next { frame in
            switch frame {
            case .extension(_, let ref, _), .error(let ref, _): ref == id
            default: false
            }
        }
        switch frame {
        case .extension(_, _, let data?):
            return try JSONDecoder().decode(T.self, from: Data(data.jsonBytes))
        case .error(_, let error):
            throw error
        default:
            throw IMClientError.closed
        }
    }

    /// Pushed frames of `type` with no ref, decoded as `T`, until `stop` says the last one came.
    func pushes<T: Decodable>(
        _ type: String, as _: T.Type, until stop: (T) -> Bool
    ) async throws -> [T] {
        var found: [T] = []
        while true {
            let frame = try await next { frame in
                if case .extension(type, nil, _) = frame { true } else { false }
            }
            guard case .extension(_, _, let data?) = frame else { continue }
            let value = try JSONDecoder().decode(T.self, from: Data(data.jsonBytes))
            found.append(value)
            if stop(value) { return found }
        }
    }
}
