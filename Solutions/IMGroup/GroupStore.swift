// Lesson 20: groups on SQLite, by read diffusion — in the server's own database file.
//
// im_group       one row per group: its name, owner, member count and LAST SEQ
// group_member   one row per (group, member): role and the three positions of MemberPosition
// group_message  one row per message, keyed (group, seq): stored once for every member
//
// Sending writes two rows whatever the group's size: the group's last seq goes up by one and the
// message is inserted with it, in one transaction. Nobody's inbox, timeline or counter is touched.
// The single SQLite writer runs the transactions one after another, and a failed one rolls its
// seq back with it, so seqs are 1, 2, 3… with no gap and no repeat, however many send at once.

import CourseSupport
import Foundation
import GRDB
import IMCore

/// The groups, their members and their messages, in the server's SQLite file.
public struct GroupStore: Sendable {
    public let database: any DatabaseWriter
    public let configuration: GroupConfiguration

    /// Uses `database` (the server's), creating the group tables on first use.
    public init(database: any DatabaseWriter, configuration: GroupConfiguration = GroupConfiguration()) throws {
        self.database = database
        self.configuration = configuration
        try Self.migrator.migrate(database)
    }

    /// The lesson's own migrations. They are recorded in the same `grdb_migrations` table as the
    /// server's, under names of their own; each migrator applies only the ones it knows.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("group v1: groups, members, messages") { db in
            try db.execute(
                sql: """
                    CREATE TABLE im_group (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL,
                        owner_id INTEGER NOT NULL,
                        member_count INTEGER NOT NULL DEFAULT 0,
                        last_seq INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL
                    );
                    CREATE TABLE group_member (
                        group_id INTEGER NOT NULL REFERENCES im_group(id),
                        user_id INTEGER NOT NULL,
                        role INTEGER NOT NULL,       -- 0 member, 1 admin, 2 owner
                        join_seq INTEGER NOT NULL,   -- sees seqs above it
                        read_seq INTEGER NOT NULL,
                        left_seq INTEGER,            -- removed: sees nothing above it
                        PRIMARY KEY (group_id, user_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX group_member_by_user ON group_member(user_id, group_id);
                    CREATE TABLE group_message (
                        group_id INTEGER NOT NULL,
                        seq INTEGER NOT NULL,
                        sender_id INTEGER NOT NULL,
                        client_msg_id TEXT,
                        body TEXT NOT NULL,
                        sent_at INTEGER NOT NULL,
                        PRIMARY KEY (group_id, seq)
                    ) WITHOUT ROWID;
                    CREATE UNIQUE INDEX group_message_by_client_id
                        ON group_message(group_id, sender_id, client_msg_id) WHERE client_msg_id IS NOT NULL;
                    """)
        }
        return migrator
    }

    // MARK: Groups and members

    /// Creates a group owned by `owner`, with `members` (the owner need not be listed).
    public func create(name: String, owner: UserID, members: [UserID], now: Int64) async throws -> GroupSummary {
        let configuration = configuration
        return try await database.write { db in
            try db.execute(
                sql: "INSERT INTO im_group (name, owner_id, member_count, last_seq, created_at) VALUES (?, ?, 0, 0, ?)",
                arguments: [name, owner.rawValue, now])
            let group = GroupID(db.lastInsertedRowID)
            try Self.join([owner], group: group, role: .owner, maxMembers: configuration.maxMembers, db)
            try Self.join(members.filter { $0 != owner }, group: group, role: .member, maxMembers: configuration.maxMembers, db)
            return try Self.summary(of: group, for: owner, db)
        }
    }

    /// Adds `users` to `group`; only its owner and admins may. Users already in it are left as they are.
    /// Throws (and changes nothing) for an unknown group or user, or beyond the member limit.
    public func add(_ users: [UserID], to group: GroupID, by actor: UserID) async throws -> GroupMembershipChange {
        let configuration = configuration
        return try await database.write { db in
            let position = try Self.requireActiveMember(actor, of: group, db)
            guard position.role.managesMembers else {
                throw IMError.forbidden("only the owner and admins of group \(group) add members")
            }
            let added = try Self.join(users, group: group, role: .member, maxMembers: configuration.maxMembers, db)
            return GroupMembershipChange(
                group: group, kind: .added, users: added, atSeq: try Self.lastSeq(of: group, db), by: actor)
        }
    }

    /// Removes `user` from `group`: by the owner or an admin, or by the user itself (leaving). The
    /// owner cannot be removed. The member keeps what it could read up to now and sees nothing newer.
    public func remove(_ user: UserID, from group: GroupID, by actor: UserID) async throws -> GroupMembershipChange {
        try await database.write { db in
            let acting = try Self.requireActiveMember(actor, of: group, db)
            guard actor == user || acting.role.managesMembers else {
                throw IMError.forbidden("only the owner and admins of group \(group) remove other members")
            }
            let target = try Self.requireActiveMember(user, of: group, db)
            guard target.role != .owner else { throw IMError.forbidden("the owner of group \(group) cannot be removed") }
            let lastSeq = try Self.lastSeq(of: group, db)
            try db.execute(
                sql: "UPDATE group_member SET left_seq = ? WHERE group_id = ? AND user_id = ?",
                arguments: [lastSeq, group.rawValue, user.rawValue])
            try db.execute(
                sql: "UPDATE im_group SET member_count = member_count - 1 WHERE id = ?", arguments: [group.rawValue])
            return GroupMembershipChange(group: group, kind: .removed, users: [user], atSeq: lastSeq, by: actor)
        }
    }

    /// The members of `group` (asked by one of them), owner first.
    public func members(of group: GroupID, for user: UserID) async throws -> [GroupMember] {
        try await database.read { db in
            _ = try Self.requireActiveMember(user, of: group, db)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT user_id, role, join_seq FROM group_member WHERE group_id = ? AND left_seq IS NULL
                    ORDER BY role DESC, user_id
                    """, arguments: [group.rawValue]
            ).map { GroupMember(user: UserID($0["user_id"]), role: GroupRole(stored: $0["role"]), joinSeq: $0["join_seq"]) }
        }
    }

    /// The ids of `group`'s members now (whom a new message is pushed to).
    public func activeMemberIDs(of group: GroupID) async throws -> [UserID] {
        try await database.read { db in
            try Int64.fetchAll(
                db.cachedStatement(sql: "SELECT user_id FROM group_member WHERE group_id = ? AND left_seq IS NULL"),
                arguments: [group.rawValue]
            ).map { UserID($0) }
        }
    }

    /// Every group `user` is or was in, with its positions and computed unread: what a device
    /// that comes back asks first. One row per group, however many messages it missed.
    public func summaries(of user: UserID) async throws -> [GroupSummary] {
        let limit = configuration.maxGroupsPerUser
        return try await database.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: Self.summarySQL + " WHERE m.user_id = ? ORDER BY g.last_seq DESC LIMIT ?"),
                arguments: [user.rawValue, limit]
            ).map(Self.summary(from:))
        }
    }

    // MARK: Messages

    /// Stores a message of `sender` in `group`, once, with the group's next seq.
    public func send(
        to group: GroupID, from sender: UserID, body: String, clientMsgID: String?, sentAt: Int64
    ) async throws -> GroupSendResult {
        try await database.write { db in
            try Self.send(to: group, from: sender, body: body, clientMsgID: clientMsgID, sentAt: sentAt, db)
        }
    }

    static func send(
        to group: GroupID, from sender: UserID, body: String, clientMsgID: String?, sentAt: Int64, _ db: Database
    ) throws -> GroupSendResult {
        // BEGIN EXERCISE 20.2: In the caller's transaction: only an active member posts; a retry gets the stored message; otherwise take the group's next seq and store the message once (O(1) rows).
        _ = try requireActiveMember(sender, of: group, db)
        if let clientMsgID,
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT * FROM group_message WHERE group_id = ? AND sender_id = ? AND client_msg_id = ?"),
                arguments: [group.rawValue, sender.rawValue, clientMsgID])
        {
            return GroupSendResult(message: message(from: row), isRepeat: true)
        }
        // The seq is taken from the group's row inside this transaction: the single writer orders
        // concurrent sends, and a rollback takes the seq back with the message (no gap).
        guard
            let seq = try Int64.fetchOne(
                db.cachedStatement(sql: "UPDATE im_group SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq"),
                arguments: [group.rawValue])
        else { throw IMError.notFound("no group \(group)") }
        try db.cachedStatement(
            sql: """
                INSERT INTO group_message (group_id, seq, sender_id, client_msg_id, body, sent_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [group.rawValue, seq, sender.rawValue, clientMsgID, body, sentAt])
        // The sender has read its own message (a third row, still one per send, not one per member).
        try db.cachedStatement(sql: "UPDATE group_member SET read_seq = ? WHERE group_id = ? AND user_id = ?")
            .execute(arguments: [seq, group.rawValue, sender.rawValue])
        return GroupSendResult(
            message: GroupMessage(group: group, seq: seq, from: sender, clientMsgID: clientMsgID, body: body, sentAt: sentAt),
            isRepeat: false)
        // STUB: throw Exercise.notImplemented("20.2", expected: "a non-member refused, a retry (same clientMsgID) answered with the stored message, else last_seq + 1 and one group_message row")
        // END EXERCISE 20.2
    }

    /// A page of `group`'s history for `user`, within what it may see: the messages after `after`
    /// (oldest first), or else the newest before `before` (or the newest of all).
    /// Asking for seqs before the member joined is refused.
    public func history(
        of group: GroupID, for user: UserID, after: Int64?, before: Int64?, limit: Int?
    ) async throws -> GroupHistoryPage {
        let size = min(max(limit ?? configuration.defaultHistoryPage, 1), configuration.maxHistoryPage)
        return try await database.read { db in
            let member = try Self.requireMember(user, of: group, db)
            let view = member.position.visible(lastSeq: try Self.lastSeq(of: group, db))
            if let after, after < view.after {
                throw IMError.forbidden(
                    "history of group \(group) before seq \(view.after + 1) is not visible to you (you joined after it)")
            }
            if let before, view.after > 0, before <= view.after + 1 {
                throw IMError.forbidden(
                    "history of group \(group) before seq \(view.after + 1) is not visible to you (you joined after it)")
            }
            let rows: [Row]
            let hasMore: Bool
            if let after {
                rows = try Row.fetchAll(
                    db.cachedStatement(
                        sql: "SELECT * FROM group_message WHERE group_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?"),
                    arguments: [group.rawValue, after, view.through, size + 1])
                hasMore = rows.count > size
            } else {
                let upper = min(before.map { $0 - 1 } ?? view.through, view.through)
                rows = try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT * FROM group_message WHERE group_id = ? AND seq > ? AND seq <= ?
                            ORDER BY seq DESC LIMIT ?
                            """), arguments: [group.rawValue, view.after, upper, size + 1]
                ).reversed()
                hasMore = rows.count > size
            }
            let page = (after == nil ? Array(rows.suffix(size)) : Array(rows.prefix(size))).map(Self.message(from:))
            return GroupHistoryPage(group: group, messages: page, hasMore: hasMore, joinSeq: view.after)
        }
    }

    /// Moves `user`'s read position in `group` up to `seq` (all it may see when nil); never back.
    public func markRead(_ group: GroupID, by user: UserID, upTo seq: Int64?) async throws -> GroupReadReceipt {
        try await database.write { db in
            let member = try Self.requireMember(user, of: group, db)
            let lastSeq = try Self.lastSeq(of: group, db)
            let through = member.position.visible(lastSeq: lastSeq).through
            let readSeq = max(member.position.readSeq, min(seq ?? through, through))
            if readSeq != member.position.readSeq {
                try db.cachedStatement(sql: "UPDATE group_member SET read_seq = ? WHERE group_id = ? AND user_id = ?")
                    .execute(arguments: [readSeq, group.rawValue, user.rawValue])
            }
            var position = member.position
            position.readSeq = readSeq
            return GroupReadReceipt(group: group, readSeq: readSeq, unread: position.unread(lastSeq: lastSeq))
        }
    }

    // MARK: Helpers inside a transaction

    struct MemberRow {
        let role: GroupRole
        let position: MemberPosition
    }

    /// `user`'s row in `group`, current or former; throws `not_found` for an unknown group and
    /// `forbidden` for a user who was never a member.
    static func requireMember(_ user: UserID, of group: GroupID, _ db: Database) throws -> MemberRow {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT role, join_seq, read_seq, left_seq FROM group_member WHERE group_id = ? AND user_id = ?"),
                arguments: [group.rawValue, user.rawValue])
        else {
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM im_group WHERE id = ?", arguments: [group.rawValue]) != nil else {
                throw IMError.notFound("no group \(group)")
            }
            throw IMError.forbidden("you are not a member of group \(group)")
        }
        return MemberRow(
            role: GroupRole(stored: row["role"]),
            position: MemberPosition(joinSeq: row["join_seq"], readSeq: row["read_seq"], leftSeq: row["left_seq"]))
    }

    /// The same, for a member who has not been removed.
    static func requireActiveMember(_ user: UserID, of group: GroupID, _ db: Database) throws -> MemberRow {
        let member = try requireMember(user, of: group, db)
        guard member.position.isActive else {
            throw IMError.forbidden(
                "you are no longer a member of group \(group) (removed at seq \(member.position.leftSeq ?? 0))")
        }
        return member
    }

    /// Makes `users` active members of `group` from its current last seq on; returns those who
    /// were not active before. Refuses unknown users, and a group that would pass `maxMembers`.
    @discardableResult
    static func join(_ users: [UserID], group: GroupID, role: GroupRole, maxMembers: Int, _ db: Database) throws -> [UserID] {
        let wanted = Array(Set(users)).sorted()
        guard !wanted.isEmpty else { return [] }
        let list = wanted.map { String($0.rawValue) }.joined(separator: ",")
        let known = Set(try Int64.fetchAll(db, sql: "SELECT id FROM user WHERE id IN (\(list))"))
        if let unknown = wanted.first(where: { !known.contains($0.rawValue) }) {
            throw IMError.notFound("no user with id \(unknown)")
        }
        let active = Set(
            try Int64.fetchAll(
                db, sql: "SELECT user_id FROM group_member WHERE group_id = ? AND left_seq IS NULL AND user_id IN (\(list))",
                arguments: [group.rawValue]))
        let joining = wanted.filter { !active.contains($0.rawValue) }
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT member_count, last_seq FROM im_group WHERE id = ?", arguments: [group.rawValue])
        else { throw IMError.notFound("no group \(group)") }
        let count: Int = row["member_count"]
        let lastSeq: Int64 = row["last_seq"]
        guard count + joining.count <= maxMembers else {
            throw IMError(
                .conflict,
                "group \(group) has \(count) members; adding \(joining.count) would pass the limit of \(maxMembers)")
        }
        for user in joining {
            // A member who comes back starts again from now: what was said while away stays unseen.
            try db.cachedStatement(
                sql: """
                    INSERT INTO group_member (group_id, user_id, role, join_seq, read_seq, left_seq)
                    VALUES (?, ?, ?, ?, ?, NULL)
                    ON CONFLICT (group_id, user_id) DO UPDATE SET
                        role = excluded.role, join_seq = excluded.join_seq, read_seq = excluded.read_seq, left_seq = NULL
                    """
            ).execute(arguments: [group.rawValue, user.rawValue, role.stored, lastSeq, lastSeq])
        }
        try db.execute(
            sql: "UPDATE im_group SET member_count = member_count + ? WHERE id = ?", arguments: [joining.count, group.rawValue])
        return joining
    }

    static func lastSeq(of group: GroupID, _ db: Database) throws -> Int64 {
        guard
            let seq = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT last_seq FROM im_group WHERE id = ?"), arguments: [group.rawValue])
        else { throw IMError.notFound("no group \(group)") }
        return seq
    }

    static let summarySQL = """
        SELECT g.id, g.name, g.member_count, g.last_seq, m.role, m.join_seq, m.read_seq, m.left_seq
        FROM group_member AS m JOIN im_group AS g ON g.id = m.group_id
        """

    static func summary(of group: GroupID, for user: UserID, _ db: Database) throws -> GroupSummary {
        guard
            let row = try Row.fetchOne(
                db, sql: summarySQL + " WHERE m.group_id = ? AND m.user_id = ?", arguments: [group.rawValue, user.rawValue])
        else { throw IMError.notFound("no group \(group)") }
        return summary(from: row)
    }

    static func summary(from row: Row) -> GroupSummary {
        let position = MemberPosition(joinSeq: row["join_seq"], readSeq: row["read_seq"], leftSeq: row["left_seq"])
        let lastSeq: Int64 = row["last_seq"]
        return GroupSummary(
            group: GroupID(row["id"]), name: row["name"], role: GroupRole(stored: row["role"]),
            memberCount: row["member_count"], lastSeq: lastSeq, joinSeq: position.joinSeq, readSeq: position.readSeq,
            leftSeq: position.leftSeq, unread: position.unread(lastSeq: lastSeq))
    }

    static func message(from row: Row) -> GroupMessage {
        GroupMessage(
            group: GroupID(row["group_id"]), seq: row["seq"], from: UserID(row["sender_id"]),
            clientMsgID: row["client_msg_id"], body: row["body"], sentAt: row["sent_at"])
    }
}
