// Lesson 10 tests: one batch per room per tick, encoded once, for every viewer (pure).

import IMCore
import IMLiveRoom
import Testing

@Suite("10.2 Room tick: posts merged into one batch per room (pure)")
struct RoomTickTests {
    let room = RoomID(rawValue: "stage")!
    let host = UserID(9)

    func state(commentsPerSecond: Int = 20) throws -> LiveRoomState {
        var configuration = LiveRoomConfiguration()
        configuration.commentsPerSecond = commentsPerSecond
        configuration.postsPerSecond = 1_000
        configuration.postBurst = 1_000
        configuration.maxPendingBytes = 1_000
        configuration.maxStuck = .seconds(1)
        var state = LiveRoomState(configuration: configuration)
        _ = try state.create(room, host: host)
        return state
    }

    /// Runs one tick; returns what it asked for and how many batches it encoded.
    func tick(
        _ state: inout LiveRoomState, at now: Duration, pending: [ConnectionID: Int] = [:]
    ) -> (LiveRoomTick<[UInt8]>, encodings: Int) {
        var encodings = 0
        let output = state.tick(now: now, pendingBytes: { pending[$0] ?? 0 }) { batch in
            encodings += 1
            return Array("\(batch.room) \(batch.tick)".utf8)
        }
        return (output, encodings)
    }

    @Test("10.1, 10.2 everything posted in a tick goes out as one batch, encoded once, to every viewer")
    func oneBatch() throws {
        var state = try state(commentsPerSecond: 1_000)
        let viewers = (1...50).map { ConnectionID(UInt64($0)) }
        for viewer in viewers { _ = try state.join(room, connection: viewer, user: UserID(Int64(viewer.rawValue))) }
        for index in 0..<3 {
            _ = try state.post(
                RoomPostRequest(room: room, body: "hi \(index)"), connection: viewers[index], user: UserID(Int64(index + 1)),
                now: .milliseconds(10))
        }
        let (output, encodings) = tick(&state, at: .milliseconds(100))
        #expect(encodings == 1, "one room, one encoding per tick, whatever the viewers (10.2); got \(encodings)")
        #expect(output.deliveries.count == 1, "one batch for the room (10.2)")
        let delivery = try #require(output.deliveries.first)
        #expect(delivery.batch.posts.map(\.seq) == [1, 2, 3], "the tick's posts, in order (10.2)")
        #expect(delivery.batch.viewers == 50, "the viewer count is published with the batch (10.2)")
        #expect(Set(delivery.recipients.map(\.connection)) == Set(viewers), "every viewer gets it (10.2)")
        #expect(delivery.recipients.allSatisfy { $0.missed == nil && $0.own == nil })
        let (quiet, quietEncodings) = tick(&state, at: .milliseconds(200))
        #expect(quiet.deliveries.isEmpty && quietEncodings == 0, "nothing posted, same count: no batch (10.2)")
    }

    @Test("10.1, 10.2 the budget samples comments; the poster gets its own sampled-out comment alone")
    func ownPosts() throws {
        var state = try state(commentsPerSecond: 10)  // 1 comment per 100 ms tick
        let poster = ConnectionID(1)
        let other = ConnectionID(2)
        _ = try state.join(room, connection: poster, user: UserID(1))
        _ = try state.join(room, connection: other, user: UserID(2))
        _ = try state.join(room, connection: ConnectionID(3), user: host)
        _ = tick(&state, at: .zero)  // publishes the viewer count
        _ = try state.post(RoomPostRequest(room: room, body: "first"), connection: other, user: UserID(2), now: .zero)
        _ = try state.post(RoomPostRequest(room: room, body: "mine"), connection: poster, user: UserID(1), now: .zero)
        _ = try state.post(
            RoomPostRequest(room: room, body: "a gift", kind: .gift), connection: poster, user: UserID(1), now: .zero)
        _ = try state.post(RoomPostRequest(room: room, body: "the host"), connection: ConnectionID(3), user: host, now: .zero)
        let (output, _) = tick(&state, at: .milliseconds(100))
        let delivery = try #require(output.deliveries.first, "a batch for the posts (10.2)")
        #expect(delivery.batch.posts.map(\.body) == ["a gift", "the host"], "priority posts first use the budget up (10.2)")
        #expect(delivery.batch.sampled == 2, "two comments were left out (10.2)")
        let mine = try #require(delivery.recipients.first { $0.connection == poster })
        #expect(mine.own?.posts.map(\.body) == ["mine"], "the poster still gets its own comment (10.2)")
        let others = delivery.recipients.first { $0.connection == other }
        #expect(others?.own?.posts.map(\.body) == ["first"])
        #expect(delivery.recipients.first { $0.connection == ConnectionID(3) }?.own == nil)
    }

    @Test("10.2 a join alone publishes the new count once, at the next tick")
    func mergedCounter() throws {
        var state = try state()
        for viewer in 1...5 { _ = try state.join(room, connection: ConnectionID(UInt64(viewer)), user: UserID(Int64(viewer))) }
        let (first, _) = tick(&state, at: .milliseconds(100))
        #expect(first.deliveries.map(\.batch.viewers) == [5], "five joins, one published count (10.2)")
        _ = try state.leave(room, connection: ConnectionID(1))
        let (second, _) = tick(&state, at: .milliseconds(200))
        #expect(second.deliveries.map(\.batch.viewers) == [4])
    }

    @Test("10.1, 10.2, 10.3 a slow viewer is skipped while the others get the batch; a stuck one leaves every room")
    func slowViewer() throws {
        var state = try state()
        _ = try state.join(room, connection: ConnectionID(1), user: UserID(1))
        _ = try state.join(room, connection: ConnectionID(2), user: UserID(2))
        _ = try state.post(RoomPostRequest(room: room, body: "x"), connection: ConnectionID(1), user: UserID(1), now: .zero)
        let (output, _) = tick(&state, at: .milliseconds(100), pending: [ConnectionID(2): 5_000])
        #expect(output.deliveries.first?.recipients.map(\.connection) == [ConnectionID(1)], "the slow viewer is skipped (10.2)")
        _ = try state.post(RoomPostRequest(room: room, body: "y"), connection: ConnectionID(1), user: UserID(1), now: .zero)
        let (back, _) = tick(&state, at: .milliseconds(200))
        let slow = back.deliveries.first?.recipients.first { $0.connection == ConnectionID(2) }
        #expect(slow?.missed == RoomMissed(room: room, batches: 1, posts: 1), "it hears what it missed (10.2)")
        _ = try state.post(RoomPostRequest(room: room, body: "z"), connection: ConnectionID(1), user: UserID(1), now: .zero)
        _ = tick(&state, at: .milliseconds(300), pending: [ConnectionID(2): 5_000])
        _ = try state.post(RoomPostRequest(room: room, body: "w"), connection: ConnectionID(1), user: UserID(1), now: .zero)
        let (stuck, _) = tick(&state, at: .milliseconds(1_400), pending: [ConnectionID(2): 5_000])
        #expect(stuck.disconnects == [ConnectionID(2)], "stuck past maxStuck: disconnected (10.2)")
        #expect(state.info(room)?.viewers == 1, "and out of the room")
        #expect(state.memberships[ConnectionID(2)] == nil)
    }
}

@Suite("10 Room membership and bad input (pure)")
struct RoomMembershipTests {
    let room = RoomID(rawValue: "stage")!

    @Test("joining, posting and leaving refuse bad input and change nothing")
    func badInput() throws {
        var configuration = LiveRoomConfiguration()
        configuration.maxRoomsPerConnection = 1
        var state = LiveRoomState(configuration: configuration)
        let missing = RoomID(rawValue: "nowhere")!
        #expect(throws: IMError.self) { try state.join(missing, connection: ConnectionID(1), user: UserID(1)) }
        _ = try state.create(room, host: UserID(9))
        #expect(throws: IMError.self) { try state.create(room, host: UserID(8)) }
        #expect(throws: IMError.self) {
            try state.post(RoomPostRequest(room: room, body: "hi"), connection: ConnectionID(1), user: UserID(1), now: .zero)
        }
        _ = try state.join(room, connection: ConnectionID(1), user: UserID(1))
        let long = String(repeating: "x", count: configuration.maxPostBytes + 1)
        #expect(throws: IMError.self) {
            try state.post(RoomPostRequest(room: room, body: long), connection: ConnectionID(1), user: UserID(1), now: .zero)
        }
        #expect(throws: IMError.self) { try state.leave(room, connection: ConnectionID(2)) }
        _ = try state.create(RoomID(rawValue: "second")!, host: UserID(9))
        #expect(throws: IMError.self) {
            try state.join(RoomID(rawValue: "second")!, connection: ConnectionID(1), user: UserID(1))
        }
        #expect(state.counts.rooms == 2 && state.counts.viewers == 1)
        var encodings = 0
        let output = state.tick(now: .milliseconds(100), pendingBytes: { _ in 0 }) { _ in encodings += 1 }
        #expect(output.deliveries.allSatisfy { $0.batch.posts.isEmpty }, "no refused post was taken")
        #expect(RoomID(rawValue: "Bad Name") == nil)
        #expect(state.disconnected(ConnectionID(1)) == [room])
        #expect(state.counts.viewers == 0)
    }
}
