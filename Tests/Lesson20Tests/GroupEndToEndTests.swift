// Lesson 20 tests, part 5: groups through a real server on loopback, with real WebSocket
// clients — fan-out to every device once, reads seen on every device, catching up, removal, bad input.

import Foundation
import IMClient
import IMComposition
import IMCore
import IMGroup
import IMTestSupport
import Testing

@Suite("20 Groups end to end", .serialized)
struct GroupEndToEndTests {
    @Test("a group message reaches every online member's every device exactly once, not the sending connection (20.2, 20.4)")
    func fanOutReachesEveryDeviceOnce() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob", deviceID: "phone")
            let bobLaptop = try await server.login(bob, deviceID: "laptop")
            let carol = try await server.registerUser("carol")
            let group = try await GroupHTTP(user: alice).create("team", members: [bob.id, carol.id]).group

            let aliceSocket = try await server.connect(alice)
            let devices = [
                try await server.connect(bob), try await server.connect(bobLaptop), try await server.connect(carol),
            ]
            for index in 1...5 {
                let answer: [String: GroupMessage] = try await aliceSocket.group(
                    "group.send", id: "s\(index)", ["group": AnyEncodable(group), "body": AnyEncodable("m\(index)")])
                #expect(answer["message"]?.seq == Int64(index), "Exercise 20.2: the answer carries seq \(index)")
            }
            // A last message over HTTP reaches every connection, the sender's too: read up to it.
            _ = try await GroupHTTP(user: alice).send(group, "last")
            for (index, device) in devices.enumerated() {
                let got = try await device.pushes("group.message", as: GroupMessage.self) { $0.seq == 6 }
                #expect(
                    got.map(\.seq) == [1, 2, 3, 4, 5, 6],
                    "Exercise 20.4: device \(index) gets each message once, in order; got \(got.map(\.seq))")
            }
            let own = try await aliceSocket.pushes("group.message", as: GroupMessage.self) { $0.seq == 6 }
            #expect(
                own.map(\.seq) == [6],
                "Exercise 20.4: the sending connection gets no push of its own sends; got \(own.map(\.seq))")
            for socket in devices + [aliceSocket] { socket.close() }
        }
    }

    @Test("unread is right at once after a read on one device, and the other device is told (20.1, 20.2, 20.4)")
    func unreadAcrossDevices() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob", deviceID: "phone")
            let bobLaptop = try await server.login(bob, deviceID: "laptop")
            let group = try await GroupHTTP(user: alice).create("team", members: [bob.id]).group
            for index in 1...5 { _ = try await GroupHTTP(user: alice).send(group, "m\(index)") }
            #expect(try await GroupHTTP(user: bob).sync().first?.unread == 5, "Exercise 20.1: 5 unread before any read")

            let phone = try await server.connect(bob)
            let laptop = try await server.connect(bobLaptop)
            let receipt: GroupReadReceipt = try await phone.group(
                "group.read", id: "r1", ["group": AnyEncodable(group), "upToSeq": AnyEncodable(Int64(3))])
            #expect(receipt.readSeq == 3 && receipt.unread == 2, "read up to 3 of 5: 2 unread; got \(receipt)")
            let told = try await laptop.pushes("group.read", as: GroupReadReceipt.self) { _ in true }
            #expect(told.first == receipt, "the laptop is told of the phone's read")
            #expect(try await GroupHTTP(user: bobLaptop).sync().first?.unread == 2, "Exercise 20.1: every device computes 2")
            let summary: [String: [GroupSummary]] = try await laptop.group("group.sync", id: "y1", [:])
            #expect(summary["groups"]?.first?.readSeq == 3, "group.sync carries the shared read position")
            phone.close()
            laptop.close()
        }
    }

    @Test("an offline member catches up by group.sync and history after its last seen seq (20.1, 20.2)")
    func offlineMemberCatchesUp() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let carol = try await server.registerUser("carol")
            let group = try await GroupHTTP(user: alice).create("team", members: [carol.id]).group
            _ = try await GroupHTTP(user: alice).send(group, "while online")
            let lastSeen: Int64 = 1
            for index in 2...4 { _ = try await GroupHTTP(user: alice).send(group, "while away \(index)") }

            let socket = try await server.connect(carol)
            let sync: [String: [GroupSummary]] = try await socket.group("group.sync", id: "y1", [:])
            let summary = try #require(sync["groups"]?.first)
            #expect(
                summary.lastSeq == 4 && summary.unread == 4, "Exercise 20.1: the sync says 4 messages, 4 unread; got \(summary)")
            let page: GroupHistoryPage = try await socket.group(
                "group.history", id: "h1", ["group": AnyEncodable(group), "after": AnyEncodable(lastSeen)])
            #expect(
                page.messages.map(\.seq) == [2, 3, 4], "the messages after the last seen seq; got \(page.messages.map(\.seq))")
            socket.close()
        }
    }

    @Test("a removed member is told, gets no newer message, and cannot post (20.1, 20.2, 20.4)")
    func removedMemberIsCutOff() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let carol = try await server.registerUser("carol")
            let group = try await GroupHTTP(user: alice).create("team", members: [carol.id]).group
            let carolSocket = try await server.connect(carol)
            let aliceSocket = try await server.connect(alice)
            _ = try await GroupHTTP(user: alice).send(group, "before")
            _ = try await carolSocket.pushes("group.message", as: GroupMessage.self) { $0.seq == 1 }

            let change: GroupMembershipChange = try await aliceSocket.group(
                "group.remove", id: "x1", ["group": AnyEncodable(group), "user": AnyEncodable(carol.id)])
            #expect(change.kind == .removed && change.atSeq == 1, "removed at seq 1; got \(change)")
            let told = try await carolSocket.pushes("group.member", as: GroupMembershipChange.self) { _ in true }
            #expect(told.first?.users == [carol.id], "carol is told she was removed")

            _ = try await GroupHTTP(user: alice).send(group, "after")
            // A 1:1 message after the group message: carol's next push must be it, not the group's.
            let direct = try await alice.http.send(to: carol.id, body: "direct")
            let next = try await carolSocket.next { frame in
                switch frame {
                case .push: true
                case .extension(let type, nil, _): type == "group.message"
                default: false
                }
            }
            guard case .push(_, let entry) = next else {
                Issue.record("Exercise 20.4: a removed member got a group message: \(next)")
                return
            }
            #expect(entry.message?.id == direct.id, "the next push is the 1:1 message")
            await #expect(throws: IMError.self, "Exercise 20.2: a removed member cannot post") {
                let _: [String: GroupMessage] = try await carolSocket.group(
                    "group.send", id: "s1", ["group": AnyEncodable(group), "body": AnyEncodable("still here?")])
            }
            let page = try await GroupHTTP(user: carol).history(group, after: 0)
            #expect(page.messages.map(\.seq) == [1], "history stops at the removal; got \(page.messages.map(\.seq))")
            carolSocket.close()
            aliceSocket.close()
        }
    }

    @Test("bad input gets an error with the request's ref and changes nothing (20.2)")
    func badInput() async throws {
        try await withTestServer(configure: {
            $0.group.maxMembers = 3
            $0.group.maxAddBatch = 2
        }) { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let carol = try await server.registerUser("carol")
            let dave = try await server.registerUser("dave")
            let eve = try await server.registerUser("eve")
            let group = try await GroupHTTP(user: alice).create("team", members: [bob.id, carol.id]).group
            let aliceSocket = try await server.connect(alice)
            let eveSocket = try await server.connect(eve)

            func code(_ socket: IMWebSocketClient, _ type: String, _ id: String, _ data: [String: AnyEncodable]) async
                -> ErrorCode?
            {
                do {
                    let _: JSONValue = try await socket.group(type, id: id, data)
                    return nil
                } catch let error as IMError {
                    return error.code
                } catch {
                    return nil
                }
            }
            #expect(
                await code(aliceSocket, "group.send", "b1", ["group": AnyEncodable(GroupID(999)), "body": AnyEncodable("x")])
                    == .notFound, "an unknown group: not_found with ref b1")
            #expect(
                await code(eveSocket, "group.send", "b2", ["group": AnyEncodable(group), "body": AnyEncodable("x")])
                    == .forbidden,
                "Exercise 20.2: a non-member posting: forbidden")
            #expect(
                await code(eveSocket, "group.history", "b3", ["group": AnyEncodable(group)]) == .forbidden,
                "a non-member reading: forbidden")
            #expect(
                await code(aliceSocket, "group.add", "b4", ["group": AnyEncodable(group), "users": AnyEncodable([dave.id])])
                    == .conflict, "the member past the limit: conflict")
            #expect(
                await code(
                    aliceSocket, "group.add", "b5",
                    ["group": AnyEncodable(group), "users": AnyEncodable([dave.id, eve.id, bob.id])])
                    == .frameTooLarge, "an add of more than maxAddBatch users: frame_too_large")
            #expect(await code(aliceSocket, "group.send", "b6", [:]) == .badFrame, "data that does not fit: bad_frame")
            #expect(
                await code(aliceSocket, "group.send", "b7", ["group": AnyEncodable(group), "body": AnyEncodable(" ")])
                    == .invalidArgument, "an empty body: invalid_argument")
            let huge = try await GroupHTTP(user: alice).raw(
                "POST", "/api/v1/groups/\(group)/messages", ["body": AnyEncodable(String(repeating: "x", count: 70_000))])
            #expect(huge.status == 413, "an oversized HTTP body: 413; got \(huge.status) \(huge.text)")

            let summary = try #require(try await GroupHTTP(user: alice).sync().first)
            #expect(summary.memberCount == 3 && summary.lastSeq == 0, "nothing changed: 3 members, no message; got \(summary)")
            aliceSocket.close()
            eveSocket.close()
        }
    }
}
