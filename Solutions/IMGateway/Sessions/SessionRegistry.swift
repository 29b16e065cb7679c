// Lesson 03: the session map — which live connection belongs to which user and device.
//
// A long connection is only useful if the server can find it again when a message for its user
// arrives. This actor is that lookup: user → device → connection. It is the access layer's
// answer to the logic layer's `push` call.

import CourseSupport
import IMCore
import Synchronization

/// Something that can carry frames to one connected client (a WebSocket, a test double).
public protocol FrameSink: Sendable {
    /// Queues a frame for the client; never blocks. Frames are written in the order queued.
    func send(_ frame: ServerFrame)
    /// Closes the connection (for example when the same device connected again).
    func close(reason: String)
    /// Pushes a timeline entry (lesson 04 tracks it until the client ACKs).
    func push(_ entry: TimelineEntry)
    /// Queues a frame encoded once for many connections (lessons 10 and 20), without re-encoding it.
    func send(_ encoded: EncodedFrame)
    /// Bytes written to the connection that its socket has not taken yet: a fan-out skips a
    /// connection whose client does not keep up (lesson 10) rather than queue more for it.
    var outboundBytesPending: Int { get }
}

extension FrameSink {
    /// Best effort: no push id, no ACK expected.
    public func push(_ entry: TimelineEntry) { send(.push(pushID: nil, entry)) }

    /// For sinks without a socket (test doubles): the frame is read back and sent as a frame.
    public func send(_ encoded: EncodedFrame) {
        if let frame = try? encoded.decoded() { send(frame) }
    }

    public var outboundBytesPending: Int { 0 }
}

/// One registered connection.
public struct SessionEntry: Sendable {
    public let connection: ConnectionID
    public let device: DeviceID
    public let sink: any FrameSink

    public init(connection: ConnectionID, device: DeviceID, sink: any FrameSink) {
        self.connection = connection
        self.device = device
        self.sink = sink
    }
}

/// The session map: user → device → live connection.
public actor SessionRegistry: TimelinePusher {
    private var sessions: [UserID: [DeviceID: SessionEntry]] = [:]
    private let lastConnectionNumber = Atomic<UInt64>(0)

    public init() {}

    /// A fresh id for a connection about to register (no need to wait for the actor: an atomic counter).
    public nonisolated func makeConnectionID() -> ConnectionID {
        ConnectionID(lastConnectionNumber.add(1, ordering: .relaxed).newValue)
    }

    /// Registers `entry` as the connection of `user` on its device. A device has at most one live
    /// connection, and it is the newest (the larger connection id). Returns the entry that lost,
    /// for the caller to close: the older connection it replaces, or `entry` itself when the device
    /// already has a newer one (an old connect whose handshake finished late).
    @discardableResult
    public func register(_ entry: SessionEntry, for user: UserID) -> SessionEntry? {
        // BEGIN EXERCISE 03.1: Keep each device's newest connection (the larger id); return the entry that loses, or nil.
        guard let current = sessions[user]?[entry.device] else {
            sessions[user, default: [:]][entry.device] = entry
            return nil
        }
        if current.connection == entry.connection { return nil }
        // Opening a connection takes a few awaits (authentication, the hello): two connects of one
        // device can finish in either order, and the newer must win whatever the order.
        guard current.connection < entry.connection else { return entry }
        sessions[user]?[entry.device] = entry
        return current
        // STUB: _ = Exercise.notImplemented("03.1", expected: "the device's newest connection kept (larger id wins), the losing entry returned: the replaced older one, or the late older one itself")
        // STUB: return nil
        // END EXERCISE 03.1
    }

    /// Removes `connection` of `user` — but only if it is still the device's current connection:
    /// a connection that was replaced must not remove its successor when it finally closes.
    public func unregister(_ connection: ConnectionID, device: DeviceID, of user: UserID) {
        // BEGIN EXERCISE 03.2: Remove the entry only if it is still this connection; drop empty users.
        guard sessions[user]?[device]?.connection == connection else { return }
        sessions[user]?[device] = nil
        if sessions[user]?.isEmpty == true { sessions[user] = nil }
        // STUB: _ = Exercise.notImplemented("03.2", expected: "the entry removed only when it is still this connection, empty users dropped")
        // END EXERCISE 03.2
    }

    /// Every live connection of `user`.
    public func connections(of user: UserID) -> [SessionEntry] {
        Array(sessions[user, default: [:]].values)
    }

    /// The live connection `connection` of `user`, if it is still registered (a frame handler
    /// finds the sink of the connection a frame came over).
    public func entry(_ connection: ConnectionID, of user: UserID) -> SessionEntry? {
        sessions[user]?.values.first { $0.connection == connection }
    }

    /// Every live connection, oldest first.
    public func allConnections() -> [SessionEntry] {
        sessions.values.flatMap(\.values).sorted { $0.connection < $1.connection }
    }

    /// Closes every registered connection (they unregister themselves as they end).
    public func closeAll(reason: String) {
        for devices in sessions.values {
            for entry in devices.values { entry.sink.close(reason: reason) }
        }
    }

    /// How many users and connections are online.
    public func counts() -> (users: Int, connections: Int) {
        (sessions.count, sessions.values.reduce(0) { $0 + $1.count })
    }

    public func push(_ entry: TimelineEntry, to user: UserID) async {
        for session in connections(of: user) {
            session.sink.push(entry)
        }
    }
}
