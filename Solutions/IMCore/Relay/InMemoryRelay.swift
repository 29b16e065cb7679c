// Lesson 01: the simplest relay, all in memory.
//
// A subscriber stands for one connected device: it gets a stream of the timeline entries pushed
// to its user. There is no network here, which makes the relay's job easy to see: hand each new
// entry to every device of its user, and never let one device that stopped reading hold up the
// rest or quietly miss an entry.

import CourseSupport

/// An in-process access layer: devices subscribe as a user and receive pushed timeline entries.
public actor InMemoryRelay: TimelinePusher {
    /// How many entries a device may leave unread before it is cut off.
    public let bufferLimit: Int
    private var subscribers: [UserID: [ConnectionID: AsyncStream<TimelineEntry>.Continuation]] = [:]
    private var nextConnection: UInt64 = 1

    public init(bufferLimit: Int = 256) {
        self.bufferLimit = max(1, bufferLimit)
    }

    /// Connects a device as `user`. Its stream ends when it unsubscribes or is cut off.
    public func subscribe(as user: UserID) -> (ConnectionID, AsyncStream<TimelineEntry>) {
        let id = ConnectionID(nextConnection)
        nextConnection += 1
        let (stream, continuation) = AsyncStream.makeStream(
            of: TimelineEntry.self, bufferingPolicy: .bufferingOldest(bufferLimit))
        subscribers[user, default: [:]][id] = continuation
        return (id, stream)
    }

    /// Disconnects a device.
    public func unsubscribe(_ connection: ConnectionID, of user: UserID) {
        subscribers[user]?.removeValue(forKey: connection)?.finish()
        if subscribers[user]?.isEmpty == true { subscribers[user] = nil }
    }

    /// How many devices `user` has connected.
    public func connectionCount(of user: UserID) -> Int { subscribers[user]?.count ?? 0 }

    public func push(_ entry: TimelineEntry, to user: UserID) async {
        // BEGIN EXERCISE 01.3: Yield the entry to every device of the user; cut off (finish and forget) a device whose buffer is full or whose reader is gone.
        for (connection, continuation) in subscribers[user] ?? [:] {
            switch continuation.yield(entry) {
            case .enqueued:
                continue
            case .dropped, .terminated:
                // A device that cannot take this entry must not miss it silently: its stream ends
                // after what it holds, and it reads the rest back with `sync` from its last version.
                continuation.finish()
                subscribers[user]?[connection] = nil
            @unknown default:
                continue
            }
        }
        if subscribers[user]?.isEmpty == true { subscribers[user] = nil }
        // STUB: _ = Exercise.notImplemented("01.3", expected: "the entry yielded to every device of the user, and a device whose buffer is full cut off (its stream finished, the device forgotten)")
        // END EXERCISE 01.3
    }
}
