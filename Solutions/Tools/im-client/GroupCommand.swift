// `im-client group …`: groups of lesson 20 from the terminal.
//
//   im-client group create team bob carol     # a group with you as owner
//   im-client group list                      # your groups, with unread counts
//   im-client group send team "hello all"     # a group by name or id
//   im-client group history team              # the newest messages you may read
//   im-client group read team                 # unread back to 0
//   im-client group add team dave | remove team dave | leave team | members team

import ArgumentParser
import Foundation
import IMClient
import IMCore
import IMGroup

struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "Group chat (lesson 20).",
        subcommands: [
            GroupCreate.self, GroupList.self, GroupSend.self, GroupHistory.self, GroupRead.self, GroupAdd.self,
            GroupRemove.self, GroupLeave.self, GroupMembers.self,
        ])
}

/// Finds one of the user's groups by id or by name (a name must be unique among them).
func resolveGroup(_ nameOrID: String, with client: IMHTTPClient) async throws -> GroupSummary {
    let groups = try await client.groups()
    if let id = Int64(nameOrID), let group = groups.first(where: { $0.group.rawValue == id }) { return group }
    let named = groups.filter { $0.name == nameOrID }
    guard named.count == 1, let group = named.first else {
        throw ValidationError(named.isEmpty ? "no group named \(nameOrID)" : "several groups are named \(nameOrID): use the id")
    }
    return group
}

func describe(_ summary: GroupSummary) -> String {
    let badge = summary.unread > 0 ? " (\(summary.unread) unread)" : ""
    let left = summary.leftSeq == nil ? "" : " [left]"
    return "#\(summary.group) \(summary.name)\(badge): \(summary.memberCount) members, \(summary.role.rawValue)\(left)"
}

struct GroupCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a group; you are its owner.")
    @OptionGroup var options: CommonOptions
    @Argument(help: "The group's name.") var name: String
    @Argument(help: "Usernames (or ids) of the first members.") var members: [String] = []

    func run() async throws {
        let (client, saved) = try options.client()
        var ids: [UserID] = []
        for member in members { ids.append(try await resolveUser(member, with: client, saved: saved).id) }
        let summary = try await client.createGroup(name, members: ids)
        options.emit(summary, text: "created " + describe(summary))
    }
}

struct GroupList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Your groups with unread counts.")
    @OptionGroup var options: CommonOptions

    func run() async throws {
        let (client, _) = try options.client()
        for summary in try await client.groups() { options.emit(summary, text: describe(summary)) }
    }
}

struct GroupSend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "send", abstract: "Send a message to a group.")
    @OptionGroup var options: CommonOptions
    @Argument(help: "The group's name or id.") var group: String
    @Argument(help: "The message; reads standard input when omitted.") var body: String?

    func run() async throws {
        let (client, _) = try options.client()
        let summary = try await resolveGroup(group, with: client)
        let text = body ?? (readLine(strippingNewline: true) ?? "")
        let clientMsgID = "cli-\(UUID().uuidString.prefix(12))"
        let message = try await withServerBackOff {
            try await client.sendToGroup(summary.group, body: text, clientMsgID: clientMsgID)
        }
        options.emit(message, text: "sent seq \(message.seq) to \(summary.name)")
    }
}

struct GroupHistory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "A group's messages.")
    @OptionGroup var options: CommonOptions
    @Argument(help: "The group's name or id.") var group: String
    @Option(help: "Only messages with a seq above this one (the newest page otherwise).") var after: Int64?
    @Option(help: "How many messages.") var limit = 20

    func run() async throws {
        let (client, saved) = try options.client()
        let summary = try await resolveGroup(group, with: client)
        let page = try await client.groupHistory(summary.group, after: after, limit: limit)
        let me = saved.credentials.user
        let names = Dictionary(uniqueKeysWithValues: (try await client.users() + [me]).map { ($0.id, $0.username) })
        for message in page.messages {
            let time = Date(timeIntervalSince1970: Double(message.sentAt) / 1000).formatted(date: .omitted, time: .standard)
            let who = message.from == me.id ? "me" : names[message.from] ?? "user \(message.from)"
            options.emit(message, text: "[\(time)] seq \(message.seq) \(who): \(message.body)")
        }
    }
}

struct GroupRead: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "read", abstract: "Mark a group read.")
    @OptionGroup var options: CommonOptions
    @Argument(help: "The group's name or id.") var group: String

    func run() async throws {
        let (client, _) = try options.client()
        let receipt = try await client.markGroupRead(try await resolveGroup(group, with: client).group)
        options.emit(receipt, text: "read up to seq \(receipt.readSeq); \(receipt.unread) unread")
    }
}

struct GroupAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add members (owner and admins).")
    @OptionGroup var options: CommonOptions
    @Argument(help: "The group's name or id.") var group: String
    @Argument(help: "Usernames (or ids) to add.") var users: [String]

    func run() async throws {
        let (client, saved) = try options.client()
        let summary = try await resolveGroup(group, with: client)
        var ids: [UserID] = []
        for user in users { ids.append(try await resolveUser(user, with: client, saved: saved).id) }
        let change = try await client.addMembers(ids, to: summary.group)
        options.emit(change, text: "added \(users.joined(separator: ", ")) to \(summary.name)")
    }
}

struct GroupRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a member (owner and admins).")
    @OptionGroup var options: CommonOptions
    @Argument(help: "The group's name or id.") var group: String
    @Argument(help: "Username (or id) to remove.") var user: String

    func run() async throws {
        let (client, saved) = try options.client()
        let summary = try await resolveGroup(group, with: client)
        let member = try await resolveUser(user, with: client, saved: saved)
        let change = try await client.removeMember(member.id, from: summary.group)
        options.emit(change, text: "removed \(member.username) from \(summary.name)")
    }
}

struct GroupLeave: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "leave", abstract: "Leave a group.")
    @OptionGroup var options: CommonOptions
    @Argument(help: "The group's name or id.") var group: String

    func run() async throws {
        let (client, saved) = try options.client()
        let summary = try await resolveGroup(group, with: client)
        let change = try await client.removeMember(saved.credentials.user.id, from: summary.group)
        options.emit(change, text: "left \(summary.name)")
    }
}

struct GroupMembers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "members", abstract: "A group's members.")
    @OptionGroup var options: CommonOptions
    @Argument(help: "The group's name or id.") var group: String

    func run() async throws {
        let (client, saved) = try options.client()
        let summary = try await resolveGroup(group, with: client)
        let names = Dictionary(
            uniqueKeysWithValues: (try await client.users() + [saved.credentials.user]).map { ($0.id, $0.username) })
        for member in try await client.groupMembers(summary.group) {
            options.emit(member, text: "\(names[member.user] ?? "user \(member.user)")\t\(member.role.rawValue)")
        }
    }
}
