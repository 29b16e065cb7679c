// Lesson 13 tests, part 3: the tunnel's guarantees through a real server on loopback, over
// real HTTP — retried uploads, lost poll answers, foreign ids, idle sessions, bad input.

import Foundation
import IMClient
import IMComposition
import IMCore
import IMDelivery
import IMGateway
import IMServer
import IMTestSupport
import IMTunnel
import Testing

@Suite("13 HTTP tunnel end to end", .serialized)
struct TunnelEndpointTests {
    @Test("a tunnel session says hello, is in the session map, and carries a chat both ways with ACKs (13.1, 13.2)")
    func chatOverTheTunnel() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let tunnel = RawTunnel(user: alice)
            let opened = try await tunnel.open()
            #expect(opened.hello.user.id == alice.id, "the hello names the session's user")
            #expect(opened.session.count == 32, "a session id is 128 random bits in hex; got \(opened.session)")
            #expect(await server.server.gateway.registry.counts().connections == 1, "the session is registered")
            let bobSocket = try await server.connect(bob)

            let up = try await tunnel.upload(opened.session, seq: 1, [RawTunnel.send(to: bob.id, body: "hi bob", id: "r1")])
            #expect(up.status == 200, "an upload is answered 200; got \(up.status) \(up.text)")
            let stored = try await bobSocket.nextPushedMessage()
            #expect(stored.body == "hi bob" && stored.from == alice.id, "the frame reached the logic layer")
            let frames = try await tunnel.waitForFrames(opened.session, after: 0, count: 2)
            let acks = frames.filter { if case .ack("r1", _) = $0.frame { true } else { false } }
            #expect(acks.count == 1, "the send is answered by an ack on the down channel; got \(frames.map(\.frame))")

            let reply = try await bob.http.send(to: alice.id, body: "hi alice", clientMsgID: "b1")
            let after = frames.last?.seq ?? 0
            let pushes = try await tunnel.waitForFrames(opened.session, after: after, count: 1)
            guard case .push(let pushID?, let entry)? = pushes.first?.frame else {
                Issue.record("expected a tracked push on the down channel; got \(pushes.map(\.frame))")
                return
            }
            #expect(entry.message == reply, "the push carries the stored message")
            let ack = FrameCodec().encode(ClientFrame.pushAck(pushID: pushID))
            #expect(try await tunnel.upload(opened.session, seq: 2, [ack]).status == 200, "a pushAck travels up like any frame")
        }
    }

    @Test("tunnel frames are answered like WebSocket frames: another extension's frame handler sees them first (13.1, 13.2)")
    func tunnelFramesGoThroughTheServersResponder() async throws {
        try await withTestServer(extraExtensions: [ProbeExtension()]) { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let tunnel = RawTunnel(user: alice)
            let opened = try await tunnel.open()
            let refused = RawTunnel.send(to: bob.id, body: ProbeExtension.refusedBody, id: "r1")
            let upload = try await tunnel.upload(opened.session, seq: 1, [refused])
            #expect(upload.status == 200, "Exercise 13.2: the first upload is applied; got \(upload.status) \(upload.text)")
            let frames = try await tunnel.waitForFrames(opened.session, after: 0, count: 1)
            guard case .error("r1", let error)? = frames.first?.frame else {
                Issue.record(
                    "Exercise 13.1: the probe's answer to the send should come down the queue; got \(frames.map(\.frame))")
                return
            }
            #expect(error.code == .forbidden, "the handler's answer, on the tunnel's down channel")
            let history = try await bob.http.history(of: bob.conversation(with: alice))
            #expect(history.messages.isEmpty, "the refused send never reached the logic layer")
        }
    }

    @Test("a retried upload (its answer was lost) is applied once (13.1, 13.2)")
    func retriedUploadAppliedOnce() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let tunnel = RawTunnel(user: alice)
            let opened = try await tunnel.open()
            // No clientMsgID: only the upload number can tell the retry from a new message.
            let frame = RawTunnel.send(to: bob.id, body: "once", id: "r1")
            let first = try await tunnel.upload(opened.session, seq: 1, [frame])
            let retry = try await tunnel.upload(opened.session, seq: 1, [frame])
            #expect(first.status == 200 && retry.status == 200, "both answered 200: \(first.text) / \(retry.text)")
            let result = try JSONDecoder().decode(TunnelUploadResult.self, from: Data(retry.body))
            #expect(!result.applied, "Exercise 13.2: the retry reports that nothing was applied")

            let history = try await bob.http.history(of: bob.conversation(with: alice))
            #expect(
                history.messages.map(\.body) == ["once"],
                "Exercise 13.2: the message is stored once; got \(history.messages.count)")
            let page = try await tunnel.down(opened.session, after: 0)
            let acks = try page.frames.map { try RawTunnel.decode($0.frame) }.filter {
                if case .ack = $0 { true } else { false }
            }
            #expect(acks.count == 1, "Exercise 13.2: one ack, not one per retry; got \(acks.count)")

            let gap = try await tunnel.upload(opened.session, seq: 3, [frame])
            #expect(gap.status == 409 && gap.error?.code == .conflict, "a skipped upload number is refused with conflict")
        }
    }

    @Test("a lost down-poll answer is sent again; acknowledged frames are dropped (13.1)")
    func lostPollAnswerIsRedelivered() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let tunnel = RawTunnel(user: alice)
            let opened = try await tunnel.open()
            for index in 1...3 { _ = try await bob.http.send(to: alice.id, body: "m\(index)", clientMsgID: "m\(index)") }

            let answer = try await tunnel.waitForFrames(opened.session, after: 0, count: 3)
            #expect(answer.map(\.seq) == [1, 2, 3], "frames are numbered 1, 2, 3; got \(answer.map(\.seq))")
            // The answer "was lost": the client asks again with the same `after`.
            let again = try await tunnel.down(opened.session, after: 0)
            #expect(again.frames.map(\.seq) == [1, 2, 3], "Exercise 13.1: the same frames come again")
            #expect(try again.frames.map { try RawTunnel.decode($0.frame) } == answer.map(\.frame), "…unchanged")

            let later = try await tunnel.down(opened.session, after: 2)
            #expect(later.frames.map(\.seq) == [3], "Exercise 13.1: after=2 acknowledges 1 and 2")
            let done = try await tunnel.down(opened.session, after: 3)
            #expect(done.frames.isEmpty && done.closed == nil, "Exercise 13.1: nothing is left after after=3")
            let old = try await tunnel.down(opened.session, after: 1)
            #expect(old.frames.isEmpty, "Exercise 13.1: acknowledged frames do not come back")
        }
    }

    @Test("another user's tunnel id is refused, and nothing changes (13.1, 13.2)")
    func foreignSessionRefused() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let eve = try await server.registerUser("eve")
            let opened = try await RawTunnel(user: alice).open()
            _ = try await bob.http.send(to: alice.id, body: "for alice only", clientMsgID: "x1")
            let eveTunnel = RawTunnel(user: eve)

            let upload = try await eveTunnel.upload(opened.session, seq: 1, [RawTunnel.send(to: bob.id, body: "forged", id: "e")])
            #expect(upload.status == 404 && upload.error?.code == .notFound, "someone else's id is unknown: \(upload.text)")
            let down = try await eveTunnel.downResponse(opened.session, after: 0)
            #expect(down.status == 404 && down.error != nil, "nothing is read from it: \(down.text)")
            let delete = try await eve.http.raw("DELETE", "/api/v1/tunnel/\(opened.session)")
            #expect(delete.status == 404, "and it cannot be closed by another user")
            let anonymous = try await server.client().raw("GET", "/api/v1/tunnel/\(opened.session)/down?after=0")
            #expect(anonymous.status == 401, "without a token: 401")

            let page = try await RawTunnel(user: alice).waitForFrames(opened.session, after: 0, count: 1)
            #expect(page.count == 1, "alice's session still has her push")
            let history = try await bob.http.history(of: bob.conversation(with: alice))
            #expect(history.messages.map(\.body) == ["for alice only"], "eve's upload stored nothing")
            #expect(
                try await alice.http.raw(
                    "POST", "/api/v1/tunnel/\(opened.session)/up", body: Array("{\"seq\":1,\"frames\":[]}".utf8)
                ).status == 200)
        }
    }

    @Test("a session nobody polls expires and leaves the session map")
    func idleSessionExpires() async throws {
        // 2 s, not less: on a loaded machine the first poll may come a few hundred ms after the open.
        try await withTestServer(configure: { $0.tunnel.idleTimeout = .seconds(2) }) { server in
            let alice = try await server.registerUser("alice")
            let tunnel = RawTunnel(user: alice)
            let opened = try await tunnel.open()
            #expect(try await tunnel.downResponse(opened.session, after: 0).status == 200, "alive while polled")
            let gone = await eventually(timeout: .seconds(15)) {
                await server.server.gateway.registry.counts().connections == 0
            }
            #expect(gone, "the idle session is unregistered")
            let tunnelExtension = try #require(
                server.server.serverExtension(HTTPTunnel.self), "the composed server runs lesson 13's extension")
            #expect(await tunnelExtension.hub.count() == 0, "and forgotten")
            let response = try await tunnel.downResponse(opened.session, after: 0)
            #expect(response.status == 404, "its id is gone: \(response.status) \(response.text)")
        }
    }

    @Test("a parked poll keeps its session alive past the idle time-out")
    func parkedPollIsNotIdle() async throws {
        try await withTestServer(configure: {
            $0.tunnel.idleTimeout = .milliseconds(300)
            $0.tunnel.maxPollWait = .seconds(2)
        }) { server in
            let alice = try await server.registerUser("alice")
            let tunnel = RawTunnel(user: alice)
            let opened = try await tunnel.open()
            let page = try await tunnel.down(opened.session, after: 0, wait: 1)
            #expect(
                page.frames.isEmpty && page.closed == nil, "a poll held for 1 s (over the 300 ms idle time-out) ends normally")
            #expect(try await tunnel.downResponse(opened.session, after: 0).status == 200, "the session lived through it")
        }
    }

    @Test("malformed, oversized and over-long uploads get the error shape and change nothing (13.2)")
    func badUploads() async throws {
        try await withTestServer(configure: {
            $0.tunnel.maxBatch = 3
            $0.tunnel.maxUploadBytes = 2_048
        }) { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let tunnel = RawTunnel(user: alice)
            let opened = try await tunnel.open()
            let path = "/api/v1/tunnel/\(opened.session)/up"
            let good = RawTunnel.send(to: bob.id, body: "ok", id: "g")

            let notJSON = try await alice.http.raw("POST", path, body: Array("not json".utf8))
            #expect(notJSON.status == 400 && notJSON.error?.code == .badFrame, "not JSON: \(notJSON.text)")
            let badFrame = try await tunnel.upload(opened.session, seq: 1, [good, "{\"v\":1,\"type\":\"nope\"}"])
            #expect(badFrame.status == 400 && badFrame.error?.code == .unknownType, "a bad frame in a batch: \(badFrame.text)")
            let tooMany = try await tunnel.upload(opened.session, seq: 1, Array(repeating: good, count: 4))
            #expect(tooMany.status == 413 && tooMany.error?.code == .frameTooLarge, "more frames than maxBatch: \(tooMany.text)")
            let big = RawTunnel.send(to: bob.id, body: String(repeating: "x", count: 3_000), id: "big")
            let tooBig = try await tunnel.upload(opened.session, seq: 1, [big])
            #expect(tooBig.status == 413 && tooBig.error?.code == .frameTooLarge, "a body over the limit: \(tooBig.text)")

            let history = try await bob.http.history(of: bob.conversation(with: alice))
            #expect(history.messages.isEmpty, "no refused batch stored anything, not even its good frame")
            let accepted = try await tunnel.upload(opened.session, seq: 1, [good])
            #expect(accepted.status == 200, "upload number 1 is still free after the refusals: \(accepted.text)")
        }
    }

    @Test("unacknowledged pushes on a tunnel are pushed again, then the session is given up (13.1)")
    func pushesAreTrackedOnTheTunnel() async throws {
        try await withTestServer(configure: {
            $0.pushRetry = RetryPolicy(firstCheck: .milliseconds(300), retryInterval: .milliseconds(200), maxRetries: 2)
        }) { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let tunnel = RawTunnel(user: alice)
            let opened = try await tunnel.open()
            let sent = try await bob.http.send(to: alice.id, body: "ack me", clientMsgID: "p1")

            // Polls acknowledge tunnel frames (after=…), but no pushAck is ever sent.
            var pushIDs: [UInt64] = []
            var after: UInt64 = 0
            var closed: String?
            let deadline = ContinuousClock.now + .seconds(10)
            while closed == nil, ContinuousClock.now < deadline {
                let page = try await tunnel.down(opened.session, after: after, wait: 1)
                for item in page.frames {
                    after = item.seq
                    if case .push(let pushID?, let entry) = try RawTunnel.decode(item.frame), entry.message == sent {
                        pushIDs.append(pushID)
                    }
                }
                closed = page.closed
            }
            #expect(pushIDs.count == 3 && Set(pushIDs).count == 1, "the same push id three times (2 re-pushes); got \(pushIDs)")
            #expect(closed?.contains("not acknowledged") == true, "then the session is given up; got \(closed ?? "nil")")
            #expect(try await tunnel.downResponse(opened.session, after: after).status == 404, "and gone")
        }
    }

    @Test("a WebSocket of the same device replaces the tunnel session")
    func webSocketReplacesTunnel() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let tunnel = RawTunnel(user: alice)
            let opened = try await tunnel.open()
            async let parked = tunnel.down(opened.session, after: 0, wait: 10)
            try await Task.sleep(for: .milliseconds(100))
            let socket = try await server.connect(alice)
            let page = try await parked
            #expect(page.closed?.contains("replaced") == true, "the parked poll learns why at once; got \(page.closed ?? "nil")")
            #expect(await eventually { await server.server.gateway.registry.counts().connections == 1 })
            socket.close()
        }
    }

    @Test("a parked poll is answered when the server shuts down")
    func parkedPollAnsweredAtShutdown() async throws {
        try await withTemporaryDirectory { directory in
            let server = try await TestServer.start(dataDirectory: directory.path)
            let alice = try await server.registerUser("alice")
            let tunnel = RawTunnel(user: alice)
            let opened = try await tunnel.open()
            let parked = Task { try await tunnel.down(opened.session, after: 0, wait: 20) }
            try await Task.sleep(for: .milliseconds(200))
            let graceful = await server.stop()
            #expect(graceful, "the server stops gracefully, not held up by the parked poll")
            let page = try await parked.value
            #expect(page.closed != nil, "the poll is answered with the session's end; got \(page)")
        }
    }
}
