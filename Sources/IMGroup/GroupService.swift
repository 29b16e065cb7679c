// LESSON 20 STARTER, generated from Solutions/IMGroup/GroupService.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 20: the rules of groups, whatever carries the request (frames or HTTP).
//
// Store first, then answer, then push: a push is only a hint, and what a device missed it pulls
// back by seq (`history(after:)`) once `sync` has told it each group's last seq and its read
// position. The sender's answer does not wait for the fan-out (`GroupPushLane`), and the member
// list a fan-out needs comes from memory (`GroupMemberCache`), not from 10,000 rows per message.

import Foundation
import IMCore
import IMGateway

/// Creating groups, changing members, sending, reading history and read positions, for an
/// authenticated user; pushes to online members through the gateway's session map.
public struct GroupService: Sendable {
    public let store: GroupStore
    public let registry: SessionRegistry
    public let chat: ChatService
    /// Active member lists of groups, dropped on every membership change.
    public let memberCache: GroupMemberCache
    /// Where message fan-outs wait for their turn, after the sender has its answer.
    public let pushLane: GroupPushLane
    public var configuration: GroupConfiguration { store.configuration }

    public init(
        store: GroupStore, registry: SessionRegistry, chat: ChatService, memberCache: GroupMemberCache = GroupMemberCache(),
        pushLane: GroupPushLane = GroupPushLane()
    ) {
        self.store = store
        self.registry = registry
        self.chat = chat
        self.memberCache = memberCache
        self.pushLane = pushLane
    }

    /// The active members of `group`, from memory when the list is known.
    public func activeMembers(of group: GroupID) async throws -> [UserID] {
        try await memberCache.members(of: group) { try await store.activeMemberIDs(of: group) }
    }

    /// Creates a group owned by `user` with `members`.
    public func create(name: String, members: [UserID], by user: UserID) async throws -> GroupSummary {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= configuration.maxNameCharacters, !name.unicodeScalars.contains("\u{0}") else {
            throw IMError.invalidArgument("a group name has 1 to \(configuration.maxNameCharacters) characters")
        }
        try checkBatch(members)
        let summary = try await store.create(name: name, owner: user, members: members, now: chat.now())
        let change = GroupMembershipChange(
            group: summary.group, kind: .added, users: members.filter { $0 != user }, atSeq: 0, by: user)
        await announce(change)
        return summary
    }

    /// Adds `users` to `group` (its owner or an admin asks).
    public func add(_ users: [UserID], to group: GroupID, by user: UserID) async throws -> GroupMembershipChange {
        try checkBatch(users)
        guard !users.isEmpty else { throw IMError.invalidArgument("`users` lists no one to add") }
        let change = try await memberCache.changing(group) { try await store.add(users, to: group, by: user) }
        await announce(change)
        return change
    }

    /// Removes `member` from `group` (an owner or admin, or the member itself, asks).
    public func remove(_ member: UserID, from group: GroupID, by user: UserID) async throws -> GroupMembershipChange {
        let change = try await memberCache.changing(group) { try await store.remove(member, from: group, by: user) }
        await announce(change)
        return change
    }

    /// Sends to `group`; pushes the message to every online device of every member but `connection`.
    public func send(
        _ body: String, clientMsgID: String?, to group: GroupID, from user: UserID, connection: ConnectionID?
    ) async throws -> GroupMessage {
        try chat.validate(body: body, clientMsgID: clientMsgID)
        let result = try await store.send(to: group, from: user, body: body, clientMsgID: clientMsgID, sentAt: chat.now())
        if !result.isRepeat {
            let members = try await activeMembers(of: group)
            let message = result.message
            pushLane.enqueue { await fanOut(GroupFrameType.messagePush, message, to: members, excluding: connection) }
        }
        return result.message
    }

    /// A page of history (see `GroupStore.history`).
    public func history(of group: GroupID, for user: UserID, after: Int64?, before: Int64?, limit: Int?) async throws
        -> GroupHistoryPage
    {
        try await store.history(of: group, for: user, after: after, before: before, limit: limit)
    }

    /// Moves the read position; the user's other devices are told.
    public func markRead(_ group: GroupID, by user: UserID, upTo seq: Int64?, connection: ConnectionID?) async throws
        -> GroupReadReceipt
    {
        let receipt = try await store.markRead(group, by: user, upTo: seq)
        await fanOut(GroupFrameType.readPush, receipt, to: [user], excluding: connection)
        return receipt
    }

    /// Every group of `user` with its last seq, positions and computed unread.
    public func sync(for user: UserID) async throws -> [GroupSummary] {
        try await store.summaries(of: user)
    }

    public func members(of group: GroupID, for user: UserID) async throws -> [GroupMember] {
        try await store.members(of: group, for: user)
    }

    // MARK: Pushing

    /// One pass over the devices of `members` online at this gateway: a `type` push of `payload`,
    /// encoded once.
    @discardableResult
    public func fanOut(_ type: String, _ payload: some Encodable, to members: [UserID], excluding: ConnectionID?) async
        -> FanoutReport
    {
        // Our own payload types always encode; a failure would be a bug, and a push is only a hint.
        guard let frame = try? EncodedFrame(type: type, ref: nil, payload: payload) else { return FanoutReport() }
        let online = await registry.connections(ofAll: members)
        return GroupFanout.deliver(
            frame, to: members, online: online, excluding: excluding, slowBytes: configuration.slowConnectionBytes)
    }

    /// Tells the members concerned by a change: the group's members now, and those removed.
    private func announce(_ change: GroupMembershipChange) async {
        guard !change.users.isEmpty else { return }
        let members = (try? await activeMembers(of: change.group)) ?? []
        let concerned = change.kind == .removed ? members + change.users : members
        await fanOut(GroupFrameType.memberPush, change, to: concerned, excluding: nil)
    }

    private func checkBatch(_ users: [UserID]) throws {
        guard users.count <= configuration.maxAddBatch else {
            throw IMError(
                .frameTooLarge, "a request may add at most \(configuration.maxAddBatch) users; it listed \(users.count)")
        }
    }
}

/// The `type` of each group frame (docs/PROTOCOL.md, "Groups").
public enum GroupFrameType {
    public static let create = "group.create"
    public static let add = "group.add"
    public static let remove = "group.remove"
    public static let send = "group.send"
    public static let history = "group.history"
    public static let read = "group.read"
    public static let sync = "group.sync"
    public static let members = "group.members"
    /// Pushed: a new message of one of the user's groups.
    public static let messagePush = "group.message"
    /// Pushed to a user's other devices: a group was read on one of them.
    public static let readPush = "group.read"
    /// Pushed: members were added or removed.
    public static let memberPush = "group.member"
}
