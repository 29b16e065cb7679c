// LESSON 01 STARTER, generated from Solutions/IMCore/Relay/InMemoryRelay.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 01: the simplest relay, all in memory.
//
// A subscriber stands for one connected client: it gets a stream of the messages pushed to its
// user. There is no network here, which makes the relay's one job easy to see: given a stored
// message, find everyone who must see it.

import CourseSupport

/// An in-process access layer: clients subscribe as a user and receive pushed messages.
public actor InMemoryRelay: MessagePusher {
    private var subscribers: [UserID: [ConnectionID: AsyncStream<Message>.Continuation]] = [:]
    private var nextConnection: UInt64 = 1

    public init() {}

    /// Connects a client as `user`. Its stream ends when it unsubscribes.
    public func subscribe(as user: UserID) -> (ConnectionID, AsyncStream<Message>) {
        let id = ConnectionID(nextConnection)
        nextConnection += 1
        let (stream, continuation) = AsyncStream.makeStream(of: Message.self)
        subscribers[user, default: [:]][id] = continuation
        return (id, stream)
    }

    /// Disconnects a client.
    public func unsubscribe(_ connection: ConnectionID, of user: UserID) {
        subscribers[user]?.removeValue(forKey: connection)?.finish()
        if subscribers[user]?.isEmpty == true { subscribers[user] = nil }
    }

    /// How many clients `user` has connected.
    public func connectionCount(of user: UserID) -> Int { subscribers[user]?.count ?? 0 }

    public func deliver(_ message: Message, origin: ConnectionID?) async {
        // BEGIN EXERCISE 01.3: Push to every connection of the recipient and of the sender, except origin.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 01
        _ = Exercise.notImplemented("01.3", expected: "the message yielded to every recipient connection and every sender connection but the origin")
        // END EXERCISE 01.3
    }
}
