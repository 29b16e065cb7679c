// The group routes of lesson 20 (docs/PROTOCOL.md, "Groups"), as `im-client group …` calls them.

import Foundation
import IMClient
import IMCore
import IMGroup

extension IMHTTPClient {
    /// Every group the user is or was in, with its computed unread count.
    func groups() async throws -> [GroupSummary] {
        let box: [String: [GroupSummary]] = try await call("GET", "/api/v1/groups")
        return box["groups"] ?? []
    }

    func createGroup(_ name: String, members: [UserID]) async throws -> GroupSummary {
        try await call("POST", "/api/v1/groups", json: GroupCreation(name: name, members: members))
    }

    func addMembers(_ users: [UserID], to group: GroupID) async throws -> GroupMembershipChange {
        try await call("POST", "/api/v1/groups/\(group)/members", json: ["users": users])
    }

    /// Removes `user`; the caller's own id leaves the group.
    func removeMember(_ user: UserID, from group: GroupID) async throws -> GroupMembershipChange {
        try await call("DELETE", "/api/v1/groups/\(group)/members/\(user)")
    }

    func groupMembers(_ group: GroupID) async throws -> [GroupMember] {
        let box: [String: [GroupMember]] = try await call("GET", "/api/v1/groups/\(group)/members")
        return box["members"] ?? []
    }

    func sendToGroup(_ group: GroupID, body: String, clientMsgID: String) async throws -> GroupMessage {
        let box: [String: GroupMessage] = try await call(
            "POST", "/api/v1/groups/\(group)/messages", json: ["body": body, "clientMsgID": clientMsgID])
        guard let message = box["message"] else { throw IMClientError.unreadableResponse(status: 201, body: "no message") }
        return message
    }

    func groupHistory(_ group: GroupID, after: Int64?, limit: Int) async throws -> GroupHistoryPage {
        let after = after.map { "&after=\($0)" } ?? ""
        return try await call("GET", "/api/v1/groups/\(group)/messages?limit=\(limit)\(after)")
    }

    func markGroupRead(_ group: GroupID) async throws -> GroupReadReceipt {
        try await call("POST", "/api/v1/groups/\(group)/read")
    }
}

private struct GroupCreation: Encodable {
    let name: String
    let members: [UserID]
}
