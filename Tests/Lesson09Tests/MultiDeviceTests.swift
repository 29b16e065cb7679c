// Lesson 09 tests, part 2: several devices of one user against the real server.

import IMClient
import IMComposition
import IMCore
import IMServer
import IMSync
import IMTestSupport
import Testing

@Suite("09 Multi-device end to end", .serialized)
struct MultiDeviceTests {
    @Test("an offline device catches up in order; the sender's device gets its own message; read clears everywhere")
    func roaming() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice", deviceID: "phone")
            let aliceLaptop = try await server.login(alice, deviceID: "laptop")
            let bob = try await server.registerUser("bob")
            let phone = IMDevice(baseURL: server.baseURL, credentials: alice.credentials)
            let laptop = IMDevice(baseURL: server.baseURL, credentials: aliceLaptop.credentials)
            try await phone.connect()

            // The laptop is offline while bob writes and alice answers from her phone.
            var sent: [Message] = []
            for index in 0..<30 {
                sent.append(try await bob.http.send(to: alice.id, body: "b\(index)", clientMsgID: "b\(index)"))
            }
            let answer = try await phone.send(to: bob.id, body: "on my way", clientMsgID: "a1")
            sent.append(answer)
            let conversation = alice.conversation(with: bob)

            #expect(
                await eventually { await phone.timeline.messages[answer.id] != nil },
                "the sending device gets its own message as a timeline entry")
            try await laptop.connect()
            let laptopMessages = await laptop.timeline.conversations[conversation]?.map(\.id)
            #expect(laptopMessages == sent.map(\.id), "Exercise 09.2: the laptop syncs every message, once, in order")
            #expect(await laptop.timeline.version == (try await laptop.serverHead()), "and stands at the head")

            // Read on the phone: the laptop is told, and the server's counts drop to zero.
            _ = try await alice.http.markRead(conversation, upToSeq: answer.seq)
            #expect(
                await eventually { await laptop.timeline.readMarks[conversation]?.readSeq == answer.seq },
                "a read on one device reaches the other as a read entry")
            #expect(await laptop.timeline.unread(in: conversation, for: alice.id) == 0)
            #expect(try await aliceLaptop.http.contacts().totalUnread == 0, "unread is cleared for every device")
            for device in [phone, laptop] {
                let timeline = await device.timeline
                #expect(timeline.duplicates == 0 && timeline.outOfOrder == 0 && timeline.brokenLinks == 0)
            }
            await phone.disconnect()
            await laptop.disconnect()
        }
    }

    @Test("a device that was away longer than the offline store keeps is reset, and rebuilds from history")
    func resetAfterEviction() async throws {
        try await withTestServer(configure: { $0.sync.retention = TimelineRetention(maxEntries: 5, evictionInterval: 1) }) {
            server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            var sent: [MessageID] = []
            for index in 0..<25 { sent.append(try await bob.http.send(to: alice.id, body: "b\(index)").id) }

            let page = try await alice.http.sync(after: 0)
            let reset = try #require(page.reset, "Exercise 09.2: the entries after version 0 were evicted: a reset")
            #expect(reset.contacts.map(\.peer.id) == [bob.id], "the reset lists recent contacts")
            #expect(reset.totalUnread == 25, "with their unread counts")

            let device = IMDevice(baseURL: server.baseURL, credentials: alice.credentials)
            try await device.connect()
            let timeline = await device.timeline
            #expect(timeline.resets == 1)
            #expect(timeline.conversations[alice.conversation(with: bob)]?.map(\.id) == sent, "history rebuilt the conversation")
            #expect(timeline.version == (try await device.serverHead()))
            await device.disconnect()
        }
    }
}
