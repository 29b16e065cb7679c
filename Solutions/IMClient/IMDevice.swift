// One device of a user, kept in step with the server: WebSocket pushes, ACKs, sync on (re)connect.
//
// This is the client half of lessons 04, 05 and 09 together:
//   - every push is acknowledged (the WebSocket client does it on receipt);
//   - entries go through `DeviceTimeline`, which orders them by version and drops repeats;
//   - on connect, and whenever a gap shows, the device pulls `sync` pages from its version;
//   - sends carry a client message id and are retried with the same id until acknowledged.

import Foundation
import IMCore
import Logging

/// A device that stays consistent with its user's timeline across disconnects and server restarts.
public actor IMDevice {
    nonisolated public let baseURL: String
    nonisolated public let credentials: Credentials
    public private(set) var timeline = DeviceTimeline()
    public private(set) var connectCount = 0
    private var socket: IMWebSocketClient?
    private var pump: Task<Void, Never>?
    private var pendingAcks: [String: CheckedContinuation<Message, any Error>] = [:]
    private var nextRequest = 0
    private var syncing = false
    private var syncAgain = false
    private var http: IMHTTPClient
    /// Lesson 06: the newest session token (the server renews it in `hello` past half its life).
    public private(set) var token: String

    public init(baseURL: String, credentials: Credentials) {
        self.baseURL = baseURL
        self.credentials = credentials
        http = IMHTTPClient(baseURL: baseURL).authenticated(credentials)
        token = credentials.token
    }

    nonisolated public var user: UserID { credentials.user.id }
    public var isConnected: Bool { socket != nil }

    /// Opens the WebSocket (pushes start flowing into the timeline) and catches up by `sync`.
    public func connect() async throws {
        guard socket == nil else { return }
        let socket = try await IMWebSocketClient.connect(baseURL: baseURL, token: token, timeout: .seconds(5))
        if let fresh = socket.hello.token {
            token = fresh
            http = http.with(token: fresh)
        }
        self.socket = socket
        connectCount += 1
        pump = Task { [weak self] in
            while true {
                guard let frame = try? await socket.next(timeout: .seconds(3600)) else { break }
                await self?.handle(frame)
            }
            await self?.connectionEnded(socket)
        }
        try await catchUp()
    }

    /// Drops the connection without warning the server (like a phone losing its network).
    public func disconnect() {
        socket?.close()
        connectionEnded(socket)
    }

    /// Sends a message over the WebSocket and waits for its ACK.
    public func send(to recipient: UserID, body: String, clientMsgID: String, timeout: Duration = .seconds(5))
        async throws -> Message
    {
        guard let socket else { throw IMClientError.closed }
        nextRequest += 1
        let requestID = "s\(nextRequest)"
        socket.send(.send(id: requestID, SendRequest(to: recipient, body: body, clientMsgID: clientMsgID)))
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.fail(requestID, IMClientError.timedOut("the ACK of \(clientMsgID)"))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { pendingAcks[requestID] = $0 }
    }

    /// Pulls `sync` pages until the device is at the head of its timeline.
    public func catchUp() async throws {
        if syncing {
            syncAgain = true
            return
        }
        syncing = true
        defer { syncing = false }
        repeat {
            syncAgain = false
            while true {
                let page = try await http.sync(after: timeline.version)
                if let reset = page.reset {
                    try await rebuild(from: reset, head: page.head)
                    break
                }
                for entry in page.entries { timeline.receive(entry) }
                if !page.hasMore && timeline.gap == nil { break }
                if page.entries.isEmpty { break }
            }
        } while syncAgain
    }

    /// The head version the server reports for this user.
    public func serverHead() async throws -> Int64 { try await http.sync(after: timeline.version, limit: 1).head }

    // MARK: Frames

    private func handle(_ frame: ServerFrame) async {
        switch frame {
        case .push(_, let entry):
            timeline.receive(entry)
            if timeline.gap != nil { Task { try? await self.catchUp() } }
        case .ack(let ref?, let message):
            pendingAcks.removeValue(forKey: ref)?.resume(returning: message)
        case .error(let ref?, let error):
            pendingAcks.removeValue(forKey: ref)?.resume(throwing: IMClientError.server(status: 0, error))
        default:
            break
        }
    }

    private func fail(_ requestID: String, _ error: any Error) {
        pendingAcks.removeValue(forKey: requestID)?.resume(throwing: error)
    }

    private func connectionEnded(_ ended: IMWebSocketClient?) {
        guard let ended, socket === ended else { return }
        socket = nil
        pump = nil
        let waiting = pendingAcks
        pendingAcks = [:]
        for continuation in waiting.values { continuation.resume(throwing: IMClientError.closed) }
    }

    /// After a reset: take every contact's recent history, then continue from `head`.
    private func rebuild(from reset: SyncReset, head: Int64) async throws {
        for contact in reset.contacts {
            var before: MessageID?
            while true {
                let page = try await http.history(of: contact.conversationID, before: before, limit: 100)
                timeline.merge(history: page.messages)
                guard page.hasMore, let oldest = page.messages.first else { break }
                before = oldest.id
            }
        }
        timeline.reset(to: head)
    }
}
