// Lesson 10: the rooms of one gateway, and the tick that merges each room's posts into one batch.
//
// Pushing every post to every viewer the moment it arrives costs one frame per post per viewer:
// 100 posts a second in a room of 10,000 is a million frames a second, each encoded and written
// on its own. Instead posts wait for the room's next tick (100 ms), and the tick sends one batch
// per room: encoded once, the same bytes written to every viewer. The frames per second no
// longer grow with the posting rate, only with the viewers, and encoding no longer grows with
// the viewers at all.
//
// This is the pure state machine. Time, each connection's unsent bytes and the encoder are
// parameters; the hub (`RoomHub`) writes what the tick returns to the connections.

import CourseSupport
import IMCore

/// One viewer of a tick's batch, and what it alone is told with it.
public struct BatchRecipient: Hashable, Sendable {
    public let connection: ConnectionID
    /// Sent just before the batch: what this viewer skipped while it was slow.
    public var missed: RoomMissed?
    /// Sent just after the batch: this viewer's own comments that the batch sampled out.
    public var own: RoomOwn?

    public init(connection: ConnectionID, missed: RoomMissed? = nil, own: RoomOwn? = nil) {
        self.connection = connection
        self.missed = missed
        self.own = own
    }
}

/// One room's batch of one tick: encoded once, for every recipient.
public struct RoomDelivery<Encoded: Sendable>: Sendable {
    public let batch: RoomBatch
    public let encoded: Encoded
    public var recipients: [BatchRecipient]
}

/// What a tick asks the hub to do.
public struct LiveRoomTick<Encoded: Sendable>: Sendable {
    public var deliveries: [RoomDelivery<Encoded>] = []
    /// Viewers stuck for too long: close them (they are already out of every room).
    public var disconnects: [ConnectionID] = []

    public init() {}
}

/// The live rooms of one gateway: who is in which room, the posts waiting for the next tick.
public struct LiveRoomState: Sendable {
    struct Viewer: Sendable {
        let user: UserID
        var gate = ViewerGate()
    }

    struct Room: Sendable {
        let host: UserID
        var budget: RoomBudget
        var nextSeq: UInt64 = 1
        var tick: UInt64 = 0
        /// Posted since the last tick, in order.
        var pending: [RoomPost] = []
        var viewers: [ConnectionID: Viewer] = [:]
        /// The viewer count the last batch published: a tick with no posts still sends a batch
        /// when the count changed (the counter is merged per tick, not sent per join).
        var publishedViewers = 0
        var lastCut: Duration?
    }

    public let configuration: LiveRoomConfiguration
    private var rooms: [RoomID: Room] = [:]
    /// Each connection's rooms (to clean up when it closes) and its post bucket.
    private var connections: [ConnectionID: (rooms: Set<RoomID>, bucket: PostBucket)] = [:]

    public init(configuration: LiveRoomConfiguration = LiveRoomConfiguration()) {
        self.configuration = configuration
    }

    // MARK: Rooms and membership

    /// Opens `room` with `host` as its host.
    public mutating func create(_ room: RoomID, host: UserID) throws(IMError) -> RoomInfo {
        guard rooms[room] == nil else { throw IMError(.conflict, "room `\(room)` already exists") }
        guard rooms.count < configuration.maxRooms else {
            throw IMError(.forbidden, "this gateway holds its maximum of \(configuration.maxRooms) rooms")
        }
        rooms[room] = Room(host: host, budget: RoomBudget(perSecond: configuration.commentsPerSecond))
        return RoomInfo(room: room, host: host, viewers: 0)
    }

    public func info(_ room: RoomID) -> RoomInfo? {
        rooms[room].map { RoomInfo(room: room, host: $0.host, viewers: $0.viewers.count) }
    }

    /// `connection` of `user` joins `room`. Joining a room it is already in changes nothing.
    public mutating func join(_ room: RoomID, connection: ConnectionID, user: UserID) throws(IMError) -> RoomInfo {
        guard var state = rooms[room] else { throw IMError(.notFound, "no room named `\(room)`") }
        if state.viewers[connection] == nil {
            let joined = connections[connection]?.rooms.count ?? 0
            guard joined < configuration.maxRoomsPerConnection else {
                throw IMError(
                    .conflict, "a connection is in at most \(configuration.maxRoomsPerConnection) rooms; leave one first")
            }
            state.viewers[connection] = Viewer(user: user)
            rooms[room] = state
            let bucket = newBucket()
            connections[connection, default: ([], bucket)].rooms.insert(room)
        }
        return RoomInfo(room: room, host: state.host, viewers: state.viewers.count)
    }

    /// `connection` leaves `room`.
    public mutating func leave(_ room: RoomID, connection: ConnectionID) throws(IMError) -> RoomInfo {
        guard var state = rooms[room] else { throw IMError(.notFound, "no room named `\(room)`") }
        guard state.viewers.removeValue(forKey: connection) != nil else {
            throw IMError(.notFound, "not in room `\(room)`")
        }
        rooms[room] = state
        connections[connection]?.rooms.remove(room)
        return RoomInfo(room: room, host: state.host, viewers: state.viewers.count)
    }

    /// The connection closed: out of every room. Returns the rooms it was in.
    @discardableResult
    public mutating func disconnected(_ connection: ConnectionID) -> Set<RoomID> {
        guard let left = connections.removeValue(forKey: connection)?.rooms else { return [] }
        for room in left { rooms[room]?.viewers[connection] = nil }
        return left
    }

    /// The rooms each connection is in.
    public var memberships: [ConnectionID: Set<RoomID>] { connections.mapValues(\.rooms) }

    /// The rooms `connection` is in.
    public func rooms(of connection: ConnectionID) -> Set<RoomID> { connections[connection]?.rooms ?? [] }

    /// Rooms, and viewers summed over the rooms.
    public var counts: (rooms: Int, viewers: Int) {
        (rooms.count, rooms.values.reduce(0) { $0 + $1.viewers.count })
    }

    // MARK: Posting

    /// Takes a post of `connection` (of `user`) for `request.room`'s next tick. Checks come before
    /// the rate limit, so a refused post costs no token; a refused post changes nothing.
    public mutating func post(_ request: RoomPostRequest, connection: ConnectionID, user: UserID, now: Duration)
        throws(IMError) -> RoomPosted
    {
        guard var room = rooms[request.room] else { throw IMError(.notFound, "no room named `\(request.room)`") }
        guard room.viewers[connection] != nil else {
            throw IMError(.forbidden, "join room `\(request.room)` before posting to it")
        }
        let bytes = request.body.utf8.count
        guard bytes > 0, bytes <= configuration.maxPostBytes else {
            throw IMError(.invalidArgument, "a post is 1-\(configuration.maxPostBytes) bytes of UTF-8; this one is \(bytes)")
        }
        guard var entry = connections[connection] else { throw IMError(.forbidden, "not in any room") }
        if case .refused(let wait) = entry.bucket.take(now: now) {
            connections[connection] = entry
            let seconds = Int((wait + .milliseconds(999)).components.seconds)
            throw IMError(.rateLimited, "at most \(configuration.postsPerSecond) posts per second", retryAfter: max(1, seconds))
        }
        connections[connection] = entry
        let post = RoomPost(
            seq: room.nextSeq, from: user, kind: request.kind ?? .comment, host: user == room.host, body: request.body)
        room.nextSeq += 1
        room.pending.append(post)
        rooms[request.room] = room
        return RoomPosted(room: request.room, seq: post.seq)
    }

    private func newBucket() -> PostBucket {
        PostBucket(perSecond: configuration.postsPerSecond, burst: configuration.postBurst)
    }

    // MARK: The tick

    /// One tick at `now`. For each room with new posts, or whose viewer count changed since its
    /// last batch: cut the posts with the room's budget, encode one batch with `encode`, and list
    /// its recipients, each viewer through its gate. Viewers stuck too long leave every room.
    public mutating func tick<Encoded: Sendable>(
        now: Duration, pendingBytes: (ConnectionID) -> Int, encode: (RoomBatch) -> Encoded
    ) -> LiveRoomTick<Encoded> {
        var output = LiveRoomTick<Encoded>()
        // BEGIN EXERCISE 10.2: For each room: cut its pending posts with its budget (elapsed since its last cut), and if anything was posted or the viewer count changed, encode ONE batch and list each viewer its gate lets through (with missed and own); collect stuck viewers to disconnect.
        for id in Array(rooms.keys) {
            guard var room = rooms[id] else { continue }
            let posts = room.pending
            room.pending = []
            // Cut every tick, even an empty one, so the budget refills with the time that passed.
            let cut = room.budget.cut(posts, elapsed: room.lastCut.map { now - $0 } ?? configuration.tick)
            room.lastCut = now
            guard !posts.isEmpty || room.viewers.count != room.publishedViewers else {
                rooms[id] = room
                continue
            }
            room.tick += 1
            room.publishedViewers = room.viewers.count
            let batch = RoomBatch(
                room: id, tick: room.tick, viewers: room.viewers.count, posts: cut.kept, sampled: cut.sampled)
            let encoded = encode(batch)
            let kept = Set(cut.kept.map(\.seq))
            let sampledOut = posts.filter { !kept.contains($0.seq) }
            var recipients: [BatchRecipient] = []
            for (connection, var viewer) in room.viewers {
                let decision = viewer.gate.admit(
                    posts: cut.kept.count, pendingBytes: pendingBytes(connection), now: now,
                    limits: configuration.viewerLimits)
                room.viewers[connection] = viewer
                switch decision {
                case .skip:
                    continue
                case .disconnect:
                    output.disconnects.append(connection)
                case .deliver(let missed):
                    let own = sampledOut.filter { $0.from == viewer.user }
                    recipients.append(
                        BatchRecipient(
                            connection: connection,
                            missed: missed.map { RoomMissed(room: id, batches: $0.batches, posts: $0.posts) },
                            own: own.isEmpty ? nil : RoomOwn(room: id, tick: room.tick, posts: own)))
                }
            }
            rooms[id] = room
            output.deliveries.append(RoomDelivery(batch: batch, encoded: encoded, recipients: recipients))
        }
        for connection in output.disconnects { disconnected(connection) }
        // STUB: _ = Exercise.notImplemented("10.2", expected: "one batch per room with posts (or a changed viewer count) per tick, encoded once, cut by the room's budget, sent to every viewer its gate admits")
        // END EXERCISE 10.2
        return output
    }
}
