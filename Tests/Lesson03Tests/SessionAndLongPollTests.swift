// Lesson 03 tests: the session map (03.1, 03.2) and the long-poll hub (03.3), without network.

import CourseSupport
import IMCore
import IMTestSupport
import Synchronization
import Testing

@testable import IMGateway

/// A sink that records what it was sent.
final class RecordingSink: FrameSink {
    private let state = Mutex<(frames: [ServerFrame], closed: String?)>(([], nil))
    func send(_ frame: ServerFrame) { state.withLock { $0.frames.append(frame) } }
    func close(reason: String) { state.withLock { $0.closed = reason } }
    var frames: [ServerFrame] { state.withLock { $0.frames } }
    var closedReason: String? { state.withLock { $0.closed } }
}

func sampleEntry(from: Int64, to: Int64) -> TimelineEntry {
    TimelineEntry(version: 1, prevVersion: 0, message: sampleMessage(from: from, to: to))
}

func sampleMessage(from: Int64, to: Int64, id: Int64 = 1) -> Message {
    Message(
        id: MessageID(id), conversationID: .direct(UserID(from), UserID(to)), from: UserID(from), to: UserID(to),
        clientMsgID: nil, body: "hi", sentAt: 0)
}

@Suite("03.1–03.2 Session map")
struct SessionRegistryTests {
    let phone = DeviceID(rawValue: "phone")!
    let laptop = DeviceID(rawValue: "laptop")!

    @Test("connections are found by user; a device's new connection replaces its old one")
    func registerAndReplace() async {
        let registry = SessionRegistry()
        let user = UserID(1)
        let first = SessionEntry(connection: registry.makeConnectionID(), device: phone, sink: RecordingSink())
        let second = SessionEntry(connection: registry.makeConnectionID(), device: laptop, sink: RecordingSink())
        let third = SessionEntry(connection: registry.makeConnectionID(), device: phone, sink: RecordingSink())
        #expect(await registry.register(first, for: user) == nil, "Exercise 03.1: nothing is replaced by a first connection")
        _ = await registry.register(second, for: user)
        #expect(
            Set(await registry.connections(of: user).map(\.connection)) == [first.connection, second.connection],
            "Exercise 03.1: both devices' connections are found")
        let replaced = await registry.register(third, for: user)
        #expect(
            replaced?.connection == first.connection, "Exercise 03.1: the same device's older connection is returned as replaced")
        #expect(
            Set(await registry.connections(of: user).map(\.connection)) == [second.connection, third.connection],
            "Exercise 03.1: one connection per device")
    }

    @Test("an older connection that registers late loses to the newer one already there (03.1)")
    func lateOlderConnectionLoses() async {
        let registry = SessionRegistry()
        let user = UserID(1)
        let older = SessionEntry(connection: registry.makeConnectionID(), device: phone, sink: RecordingSink())
        let newer = SessionEntry(connection: registry.makeConnectionID(), device: phone, sink: RecordingSink())
        #expect(await registry.register(newer, for: user) == nil, "Exercise 03.1: nothing loses to a first connection")
        let loser = await registry.register(older, for: user)
        #expect(
            loser?.connection == older.connection,
            "Exercise 03.1: the late, older connection is the one to close (returned); got \(String(describing: loser?.connection))"
        )
        #expect(
            await registry.connections(of: user).map(\.connection) == [newer.connection],
            "Exercise 03.1: the device keeps its newer connection")
    }

    @Test("a replaced connection closing late does not remove its successor (03.1)")
    func staleUnregister() async {
        let registry = SessionRegistry()
        let user = UserID(1)
        let old = SessionEntry(connection: registry.makeConnectionID(), device: phone, sink: RecordingSink())
        let new = SessionEntry(connection: registry.makeConnectionID(), device: phone, sink: RecordingSink())
        _ = await registry.register(old, for: user)
        _ = await registry.register(new, for: user)
        await registry.unregister(old.connection, device: phone, of: user)
        #expect(
            await registry.connections(of: user).map(\.connection) == [new.connection],
            "Exercise 03.2: unregistering a replaced connection must leave the newer one")
        await registry.unregister(new.connection, device: phone, of: user)
        #expect(await registry.counts().users == 0, "Exercise 03.2: the last connection's removal drops the user")
    }

    @Test("a push reaches every device of its user and nobody else (03.1)")
    func push() async {
        let registry = SessionRegistry()
        let bobPhone = RecordingSink()
        let alicePhone = RecordingSink()
        let aliceLaptop = RecordingSink()
        _ = await registry.register(
            SessionEntry(connection: registry.makeConnectionID(), device: phone, sink: bobPhone), for: UserID(2))
        _ = await registry.register(
            SessionEntry(connection: registry.makeConnectionID(), device: phone, sink: alicePhone), for: UserID(1))
        _ = await registry.register(
            SessionEntry(connection: registry.makeConnectionID(), device: laptop, sink: aliceLaptop), for: UserID(1))
        let entry = TimelineEntry(version: 1, prevVersion: 0, message: sampleMessage(from: 2, to: 1))
        await registry.push(entry, to: UserID(1))
        #expect(alicePhone.frames == [.push(pushID: nil, entry)], "Exercise 03.1: the user's phone is found and pushed to")
        #expect(aliceLaptop.frames == [.push(pushID: nil, entry)], "Exercise 03.1: the user's other device is pushed to")
        #expect(bobPhone.frames.isEmpty, "another user's device gets nothing")
    }
}

@Suite("03.3 Long polling")
struct LongPollHubTests {
    @Test("answers at once when there is something")
    func immediate() async throws {
        let hub = LongPollHub()
        let result = try await hub.poll(for: UserID(1), timeout: .seconds(5)) { [sampleMessage(from: 2, to: 1)] }
        #expect(result.count == 1, "Exercise 03.3: a poll with messages waiting answers at once")
    }

    @Test("a parked poll is woken by a push, not by its timeout")
    func wokenByDelivery() async throws {
        let hub = LongPollHub()
        let delivered = Mutex(false)
        let start = ContinuousClock.now
        async let answer = hub.poll(for: UserID(1), timeout: .seconds(20)) {
            delivered.withLock { $0 } ? [sampleMessage(from: 2, to: 1)] : []
        }
        // Wait (boundedly) until the poll is parked, then deliver.
        let parked = await eventually { await hub.parkedCount() == 1 }
        #expect(parked, "Exercise 03.3: a poll with nothing to return must park until a delivery or its timeout")
        delivered.withLock { $0 = true }
        await hub.push(sampleEntry(from: 2, to: 1), to: UserID(1))
        let result = try await answer
        #expect(result.count == 1, "Exercise 03.3: the woken poll fetches again and returns the new message")
        #expect(ContinuousClock.now - start < .seconds(10), "Exercise 03.3: the poll must be woken by the delivery")
    }

    @Test("no lost wake-up: a push between fetch and park still wakes the poll")
    func noLostWakeUp() async throws {
        let hub = LongPollHub()
        let calls = Mutex(0)
        let start = ContinuousClock.now
        let result = try await hub.poll(for: UserID(1), timeout: .seconds(20)) {
            let call = calls.withLock { value -> Int in
                value += 1
                return value
            }
            if call == 1 {
                // The message lands right after the first (empty) fetch, before the poll parks.
                await hub.push(sampleEntry(from: 2, to: 1), to: UserID(1))
                return []
            }
            return [sampleMessage(from: 2, to: 1)]
        }
        #expect(result.count == 1, "Exercise 03.3: a delivery during the fetch must not be lost")
        #expect(ContinuousClock.now - start < .seconds(10), "Exercise 03.3: lost wake-up — the poll waited for its timeout")
    }

    @Test("times out with nothing")
    func timeout() async throws {
        let hub = LongPollHub()
        let result = try await hub.poll(for: UserID(1), timeout: .milliseconds(200)) { [] }
        #expect(result.isEmpty, "Exercise 03.3: a poll that times out returns an empty list")
        #expect(await hub.parkedCount() == 0)
    }
}
