// Lesson 17: the `user.profile`, `user.rename` and `cache.stats` frames, on every transport.

import Foundation
import IMCore
import IMGateway

/// The frame types of lesson 17 (docs/PROTOCOL.md).
public enum CacheFrameType {
    public static let profile = "user.profile"
    public static let rename = "user.rename"
    public static let stats = "cache.stats"
}

/// What `cache.stats` answers.
public struct CacheStatsReply: Codable, Sendable, Hashable {
    public let profiles: CacheStats
    public let bloomRejected: Int
    public let redis: [String]
}

struct CacheFrameHandler: FrameHandler {
    let profiles: ProfileCache
    let redis: [RedisEndpoint]
    /// Most ids in one `user.profile`.
    static let maxIDs = 100
    static let maxDisplayName = 64

    private struct ProfileBody: Decodable {
        let ids: [UserID]
    }

    private struct RenameBody: Decodable {
        let displayName: String
    }

    func handle(_ frame: ClientFrame, from identity: Identity, connection: ConnectionID) async -> FrameHandling {
        guard case .extension(let request) = frame,
            [CacheFrameType.profile, CacheFrameType.rename, CacheFrameType.stats].contains(request.type)
        else { return .passed }
        do {
            let data = try await answer(request, user: identity.userID)
            return .handled(reply: .extension(type: request.type, ref: request.id, data: try JSONValue(encoding: data)))
        } catch {
            return .handled(reply: .error(ref: request.id, IMError(describing: error)))
        }
    }

    private func answer(_ request: ExtensionFrame, user: UserID) async throws -> any Encodable {
        switch request.type {
        case CacheFrameType.profile:
            let ids = try request.payload(ProfileBody.self).ids
            guard !ids.isEmpty, ids.count <= Self.maxIDs else {
                throw IMError.invalidArgument("ids: give 1 to \(Self.maxIDs) user ids")
            }
            var users: [User] = []
            var missing: [UserID] = []
            for id in ids {
                if let found = try await profiles.profile(id) { users.append(found) } else { missing.append(id) }
            }
            return ["users": AnyCodable(users), "missing": AnyCodable(missing)]
        case CacheFrameType.rename:
            let name = try request.payload(RenameBody.self).displayName.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty, name.count <= Self.maxDisplayName else {
                throw IMError.invalidArgument("displayName: 1 to \(Self.maxDisplayName) characters")
            }
            guard let renamed = try await profiles.rename(user, to: name) else {
                throw IMError.notFound("no user with id \(user)")
            }
            return ["user": renamed]
        default:
            return CacheStatsReply(
                profiles: profiles.cache.stats, bloomRejected: profiles.rejected, redis: redis.map(\.description))
        }
    }
}

/// Two encodable values of different types in one JSON object.
private struct AnyCodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
