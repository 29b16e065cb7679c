// LESSON 17 STARTER, generated from Solutions/IMCache/Redis/RedisClient.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 17: a small pool of connections to one Redis server, reconnecting on demand.
//
// Given. No Swift Redis client resolves in this course's build, so the lesson carries the little
// it needs: a few pipelined connections used in turn, a new connection when one has closed
// (after a time-out, a restart of Redis, a network cut), and GET/SET/DEL/MGET on top.

import NIOCore
import NIOPosix

/// Where a Redis server is and how long to wait for it.
public struct RedisEndpoint: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port`, e.g. `127.0.0.1:6379`; nil when it is not one.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port), colon > text.startIndex
        else { return nil }
        self.init(host: String(text[..<colon]), port: port)
    }

    public var description: String { "\(host):\(port)" }
}

/// A pool of `size` pipelined connections to one Redis server.
public actor RedisClient {
    public nonisolated let endpoint: RedisEndpoint
    let size: Int
    let connectTimeout: TimeAmount
    let commandTimeout: TimeAmount
    let group: any EventLoopGroup

    private var connections: [Int: RedisConnection] = [:]
    private var connecting: [Int: Task<RedisConnection, any Error>] = [:]
    private var next = 0
    /// Connections opened so far (a test sees a reconnect by it).
    public private(set) var connectsMade = 0

    public init(
        endpoint: RedisEndpoint, size: Int = 2, connectTimeout: Duration = .seconds(1),
        commandTimeout: Duration = .milliseconds(500), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.endpoint = endpoint
        self.size = max(1, size)
        self.connectTimeout = TimeAmount(connectTimeout)
        self.commandTimeout = TimeAmount(commandTimeout)
        self.group = group
    }

    /// The next connection in turn, opened (again) when it is missing or closed. Callers waiting
    /// for the same slot share one connect.
    func connection() async throws(RedisError) -> (connection: RedisConnection, reused: Bool) {
        let slot = next
        next = (next + 1) % size
        if let open = connections[slot], open.isActive { return (open, true) }
        connections[slot] = nil
        let task: Task<RedisConnection, any Error>
        if let pending = connecting[slot] {
            task = pending
        } else {
            let (endpoint, connectTimeout, commandTimeout, group) = (endpoint, connectTimeout, commandTimeout, group)
            task = Task {
                try await RedisConnection.connect(
                    host: endpoint.host, port: endpoint.port, connectTimeout: connectTimeout,
                    commandTimeout: commandTimeout, group: group)
            }
            connecting[slot] = task
        }
        do {
            let opened = try await task.value
            if connecting[slot] == task {
                connecting[slot] = nil
                connections[slot] = opened
                connectsMade += 1
            }
            return (opened, false)
        } catch {
            if connecting[slot] == task { connecting[slot] = nil }
            throw (error as? RedisError) ?? .connectFailed("\(error)")
        }
    }

    /// Sends `commands` in one round trip on one connection; replies in order.
    public func pipeline(_ commands: [[String]]) async throws(RedisError) -> [RESPValue] {
        try await pipeline(bytes: commands.map { $0.map { Array($0.utf8) } })
    }

    /// A connection that Redis (or the network) closed while it sat idle is found out only when
    /// used: such a batch is sent once more on a new connection. Only then: after a time-out the
    /// command may have run, and the cache's commands are retried by the next read anyway.
    public func pipeline(bytes commands: [[[UInt8]]]) async throws(RedisError) -> [RESPValue] {
        let (open, reused) = try await connection()
        do {
            return try await open.pipeline(commands)
        } catch RedisError.connectionClosed where reused {
            return try await self.connection().connection.pipeline(commands)
        }
    }

    /// One command; a `-ERR` reply is thrown as `RedisError.server`.
    public func send(_ command: [String]) async throws(RedisError) -> RESPValue {
        let reply = try await pipeline([command])[0]
        if case .error(let message) = reply { throw .server(message) }
        return reply
    }

    /// `GET key`: the value, or nil when the key does not exist.
    public func get(_ key: String) async throws(RedisError) -> [UInt8]? {
        try await mget([key])[0]
    }

    /// `MGET keys…`: one value (or nil) per key, in one round trip.
    public func mget(_ keys: [String]) async throws(RedisError) -> [[UInt8]?] {
        guard !keys.isEmpty else { return [] }
        let reply = try await pipeline(bytes: [[Array("MGET".utf8)] + keys.map { Array($0.utf8) }])[0]
        switch reply {
        case .array(let values?) where values.count == keys.count: return values.map(\.bytes)
        case .error(let message): throw .server(message)
        default: throw .unexpectedReply("to MGET: \(reply)")
        }
    }

    /// `SET key value PX ttl`.
    public func set(_ key: String, _ value: [UInt8], ttl: Duration) async throws(RedisError) {
        let millis = max(1, ttl.components.seconds * 1000 + ttl.components.attoseconds / 1_000_000_000_000_000)
        let reply = try await pipeline(bytes: [
            [Array("SET".utf8), Array(key.utf8), value, Array("PX".utf8), Array(String(millis).utf8)]
        ])[0]
        switch reply {
        case .simpleString("OK"): return
        case .error(let message): throw .server(message)
        default: throw .unexpectedReply("to SET: \(reply)")
        }
    }

    /// `DEL keys…`: how many existed.
    @discardableResult
    public func delete(_ keys: [String]) async throws(RedisError) -> Int {
        guard !keys.isEmpty else { return 0 }
        switch try await send(["DEL"] + keys) {
        case .integer(let count): return Int(count)
        case let reply: throw .unexpectedReply("to DEL: \(reply)")
        }
    }

    /// Closes every connection (a later command opens new ones).
    public func close() async {
        let open = connections.values
        connections = [:]
        for connection in open { await connection.close() }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
