// `im-client`: a terminal client of the IM, for people and scripts.
//
//   im-client register alice 'correct horse'     # or: login alice 'correct horse'
//   im-client send bob "hello"                    # uses the saved session
//   im-client follow                              # prints messages as they arrive
//   im-client contacts | history bob | users | logout
//   im-client login --server https://localhost:8443 --ca ca.pem --pin sha256/… alice '…'   # TLS (lesson 06)
//   im-client resolve                             # HttpDNS: the gateway addresses, fastest first
//   im-client group create team bob carol         # groups (lesson 20): list, send, history, read, …
//
// The session (server, token, device) is saved in ~/.im-client.json, or the file in
// IM_CLIENT_SESSION; --json prints machine-readable lines.

import ArgumentParser
import Foundation
import IMClient
import IMCore
import IMGroup
import IMSecurity

@main
struct IMClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "im-client",
        abstract: "A terminal client of the IM server.",
        subcommands: [
            Register.self, Login.self, Logout.self, Users.self, Contacts.self, Send.self, History.self, Follow.self,
            Resolve.self, GroupCommand.self,
        ])
}

/// Options every command shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "Server URL (env IM_SERVER; default: the saved session's, or http://127.0.0.1:8080).")
    var server: String?

    @Flag(help: "Print JSON, one object per line.")
    var json = false

    @Option(help: "PEM file of the CA to trust for https servers instead of the system's roots.")
    var ca: String?

    @Option(help: "Pin the server's public key: sha256/BASE64 of its SubjectPublicKeyInfo (repeat for a backup key).")
    var pin: [String] = []
}

/// The saved login.
struct SavedSession: Codable {
    var server: String
    var credentials: Credentials
    /// Lesson 06: the CA file and pins the session was made with, used again by later commands.
    var ca: String?
    var pins: [String]?

    static var path: String {
        ProcessInfo.processInfo.environment["IM_CLIENT_SESSION"]
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".im-client.json").path
    }

    static func load() throws -> SavedSession {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("not logged in: run `im-client login USER PASSWORD` first")
        }
        return try JSONDecoder().decode(SavedSession.self, from: data)
    }

    func save() throws {
        try JSONEncoder().encode(self).write(to: URL(fileURLWithPath: Self.path), options: [.atomic])
        chmod(Self.path, 0o600)
    }
}

extension CommonOptions {
    func serverURL(saved: SavedSession? = nil) -> String {
        server ?? ProcessInfo.processInfo.environment["IM_SERVER"] ?? saved?.server ?? "http://127.0.0.1:8080"
    }

    /// Lesson 06: the TLS settings from --ca and --pin (or the saved session's); nil when neither is given.
    func clientTLS(saved: SavedSession? = nil) throws -> ClientTLS? {
        let caPath = ca ?? saved?.ca
        let pins = pin.isEmpty ? (saved?.pins ?? []) : pin
        guard caPath != nil || !pins.isEmpty else { return nil }
        var roots: String?
        if let caPath {
            guard let data = FileManager.default.contents(atPath: caPath) else {
                throw ValidationError("cannot read the CA file \(caPath)")
            }
            roots = String(decoding: data, as: UTF8.self)
        }
        do {
            return ClientTLS(trustedRootsPEM: roots, pins: try pins.map { try PublicKeyPin($0) })
        } catch let error as SecurityError {
            throw ValidationError(error.message)
        }
    }

    /// An anonymous client of `server`.
    func anonymousClient(_ server: String) throws -> IMHTTPClient {
        try clientTLS().map { try IMHTTPClient(baseURL: server, tls: $0) } ?? IMHTTPClient(baseURL: server)
    }

    /// A session to save: the server, the credentials and the TLS options they were made with.
    func session(server: String, credentials: Credentials) -> SavedSession {
        // An absolute path, so that later commands find the CA from any folder.
        SavedSession(
            server: server, credentials: credentials, ca: ca.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
            pins: pin.isEmpty ? nil : pin)
    }

    /// A client carrying the saved session's token.
    func client() throws -> (IMHTTPClient, SavedSession) {
        let saved = try SavedSession.load()
        let server = serverURL(saved: saved)
        let token = saved.credentials.token
        let client = try clientTLS(saved: saved).map { try IMHTTPClient(baseURL: server, token: token, tls: $0) }
        return (client ?? IMHTTPClient(baseURL: server, token: token), saved)
    }

    func emit(_ value: some Encodable, text: String) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            output(String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self))
        } else {
            output(text)
        }
    }
}

/// Writes a line at once (unbuffered), so scripts reading a pipe see it as it happens.
func output(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Finds a user by username (or numeric id).
func resolveUser(_ name: String, with client: IMHTTPClient, saved: SavedSession) async throws -> User {
    if name == saved.credentials.user.username { return saved.credentials.user }
    let users = try await client.users()
    guard let user = users.first(where: { $0.username == name || String($0.id.rawValue) == name }) else {
        throw ValidationError("no user named \(name)")
    }
    return user
}

func format(_ message: Message, me: UserID, names: [UserID: String]) -> String {
    let time = Date(timeIntervalSince1970: Double(message.sentAt) / 1000).formatted(date: .omitted, time: .standard)
    let who = message.from == me ? "me" : names[message.from] ?? "user \(message.from)"
    return "[\(time)] #\(message.id) \(who): \(message.body)"
}

struct Register: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create an account and save its session.")
    @OptionGroup var options: CommonOptions
    @Argument var username: String
    @Argument var password: String
    @Option var displayName: String?
    @Option var device: String?

    func run() async throws {
        let server = options.serverURL()
        let credentials = try await options.anonymousClient(server).register(
            username: username, password: password, displayName: displayName, deviceID: device)
        try options.session(server: server, credentials: credentials).save()
        options.emit(credentials, text: "registered \(credentials.user.username) (id \(credentials.user.id)) on \(server)")
    }
}

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Log in and save the session.")
    @OptionGroup var options: CommonOptions
    @Argument var username: String
    @Argument var password: String
    @Option var device: String?

    func run() async throws {
        let server = options.serverURL()
        let credentials = try await options.anonymousClient(server).login(
            username: username, password: password, deviceID: device)
        try options.session(server: server, credentials: credentials).save()
        options.emit(credentials, text: "logged in as \(credentials.user.username) (id \(credentials.user.id)) on \(server)")
    }
}

struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Revoke the saved session.")
    @OptionGroup var options: CommonOptions

    func run() async throws {
        let (client, _) = try options.client()
        try await client.logout()
        try? FileManager.default.removeItem(atPath: SavedSession.path)
        options.emit(["status": "logged out"], text: "logged out")
    }
}

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the users one can write to.")
    @OptionGroup var options: CommonOptions

    func run() async throws {
        let (client, _) = try options.client()
        for user in try await client.users() {
            options.emit(user, text: "\(user.username)\t\(user.displayName)\t(id \(user.id))")
        }
    }
}

struct Contacts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Recent conversations with unread counts.")
    @OptionGroup var options: CommonOptions

    func run() async throws {
        let (client, _) = try options.client()
        let list = try await client.contacts()
        if options.json {
            options.emit(list, text: "")
            return
        }
        for contact in list.contacts {
            let badge = contact.unread > 0 ? " (\(contact.unread) unread)" : ""
            output("\(contact.peer.username)\(badge): \(contact.lastMessage.body.prefix(60))")
        }
        output("total unread: \(list.totalUnread)")
    }
}

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send a message to a user.")
    @OptionGroup var options: CommonOptions
    @Argument(help: "Username (or id) of the recipient.") var to: String
    @Argument(help: "The message; reads standard input when omitted.") var body: String?

    func run() async throws {
        let (client, saved) = try options.client()
        let peer = try await resolveUser(to, with: client, saved: saved)
        let text = body ?? (readLine(strippingNewline: true) ?? "")
        // Over the rate or an overloaded server: wait retryAfter and send again, same clientMsgID (lesson 12).
        let clientMsgID = "cli-\(UUID().uuidString.prefix(12))"
        let message = try await withServerBackOff { try await client.send(to: peer.id, body: text, clientMsgID: clientMsgID) }
        options.emit(message, text: "sent #\(message.id) to \(peer.username)")
    }
}

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the history of a conversation.")
    @OptionGroup var options: CommonOptions
    @Argument(help: "Username (or id) of the other member.") var with: String
    @Option(help: "How many messages.") var limit = 20
    @Option(help: "Only messages with an id below this one.") var before: Int64?

    func run() async throws {
        let (client, saved) = try options.client()
        let me = saved.credentials.user
        let peer = try await resolveUser(with, with: client, saved: saved)
        let page = try await client.history(of: .direct(me.id, peer.id), before: before.map { MessageID($0) }, limit: limit)
        let names = [me.id: me.username, peer.id: peer.username]
        for message in page.messages { options.emit(message, text: format(message, me: me.id, names: names)) }
        if page.hasMore && !options.json { output("(older messages: --before \(page.messages.first?.id.rawValue ?? 0))") }
    }
}

struct Follow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print messages as they arrive (WebSocket), optionally only from one conversation.")
    @OptionGroup var options: CommonOptions
    @Argument(help: "Only this user's conversation.") var with: String?
    @Option(help: "Stop after this many messages (for scripts).") var count: Int?

    func run() async throws {
        let (client, saved) = try options.client()
        let me = saved.credentials.user
        var peer: User?
        if let with { peer = try await resolveUser(with, with: client, saved: saved) }
        let names = Dictionary(uniqueKeysWithValues: (try await client.users() + [me]).map { ($0.id, $0.username) })
        let socket = try await IMWebSocketClient.connect(
            baseURL: client.baseURL, token: saved.credentials.token, tls: client.tls)
        // Lesson 06: a token past half its life comes back renewed in hello; keep the newest.
        if let fresh = socket.hello.token {
            var renewed = saved
            renewed.credentials = Credentials(user: saved.credentials.user, token: fresh, deviceID: saved.credentials.deviceID)
            try renewed.save()
        }
        if !options.json { output("following as \(me.username); Ctrl-C stops") }
        var seen = 0
        while count.map({ seen < $0 }) ?? true {
            let frame: ServerFrame
            do {
                frame = try await socket.next(timeout: .seconds(60))
            } catch IMClientError.timedOut {
                // A minute of quiet: a heartbeat keeps NATs and the server's idle sweep from
                // dropping us, and finds out if the path died (lesson 08).
                guard await socket.heartbeat(timeout: .seconds(10)) else {
                    throw ValidationError("the connection to the server is lost (heartbeat unanswered)")
                }
                continue
            }
            if case .extension("group.message", nil, let data?) = frame, peer == nil,
                let message = try? data.decode(GroupMessage.self)
            {
                // Lesson 20: a group's message, pushed to every online member.
                let who = message.from == me.id ? "me" : names[message.from] ?? "user \(message.from)"
                options.emit(message, text: "[group #\(message.group) seq \(message.seq)] \(who): \(message.body)")
                seen += 1
                continue
            }
            guard case .push(_, let entry) = frame, let message = entry.message else { continue }
            if let peer, message.conversationID != .direct(me.id, peer.id) { continue }
            options.emit(message, text: format(message, me: me.id, names: names))
            seen += 1
        }
        socket.close()
    }
}

struct Resolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask HttpDNS for a service's addresses, probe them, and print them fastest first (lesson 06).")
    @OptionGroup var options: CommonOptions
    @Option(help: "The service to resolve.") var service = HttpDNSDirectory.defaultService
    @Option(help: "A built-in address to fall back on (repeat it).") var builtIn: [String] = []

    func run() async throws {
        let saved = try? SavedSession.load()
        let server = options.serverURL(saved: saved)
        let resolver = HttpDNSResolver.live(
            configuration: .init(service: service, dnsServers: [server], builtInAddresses: builtIn),
            tls: try options.clientTLS(saved: saved))
        let candidates = await resolver.candidates()
        if candidates.isEmpty {
            throw ValidationError("\(server) gave no address for `\(service)`, and no --built-in address was given")
        }
        for address in candidates {
            let result = await resolver.result(of: address)
            let text: String
            switch result {
            case .reachable(let latency):
                text = "\(address)\treachable in " + String(format: "%.1f ms", latency / .milliseconds(1))
            case .unreachable: text = "\(address)\tunreachable"
            case .unknown: text = "\(address)\tnot probed (built-in)"
            }
            options.emit(["address": address, "result": "\(result)"], text: text)
        }
    }
}
