// Lesson 11 tests: the drainer (exercise 11.2) on a real server: not ready first, then the
// connections in batches spread over the window.

import IMClient
import IMComposition
import IMServer
import IMTestSupport
import NIOCore
import Synchronization
import Testing

@Suite("11.2 Draining gently")
struct DrainTests {
    @Test("11.2 /health answers 503 before the first connection is closed")
    func notReadyFirst() async throws {
        try await withTemporaryDirectory { directory in
            let server = try await TestServer.start(dataDirectory: directory.path) {
                $0.drain.notReadyGrace = .seconds(2)
            }
            let alice = try await server.registerUser("alice")
            let socket = try await server.connect(alice)
            let client = server.client()
            #expect(try await client.raw("GET", "/health").status == 200, "a running server is ready")

            let stopping = Task { await server.stop() }
            let draining = await eventually(timeout: .seconds(3)) {
                // A short time-out: once the server has stopped, a request must not hang the test.
                (try? await client.raw("GET", "/health", timeout: .seconds(1)).status) == 503
            }
            let openWhenNotReady = !(await socket.isClosed())
            #expect(draining, "Exercise 11.2: /health must answer 503 once the drain begins (readiness.beginDraining())")
            #expect(
                openWhenNotReady,
                "Exercise 11.2: no connection may be closed before the not-ready grace (2 s here) has passed")
            _ = await stopping.value
            #expect(
                await eventually(timeout: .seconds(3)) { await socket.isClosed() },
                "Exercise 11.2: after the grace the connection is closed")
        }
    }

    @Test("11.2 connections are closed oldest first, in batches spread over the window")
    func spreadOverWindow() async throws {
        try await withTemporaryDirectory { directory in
            let server = try await TestServer.start(dataDirectory: directory.path) {
                $0.drain.window = .milliseconds(1_200)
                $0.drain.batches = 4
                $0.drain.minimumBatch = 1
            }
            var sockets: [IMWebSocketClient] = []
            for index in 0..<8 {
                let user = try await server.registerUser("u\(index)")
                sockets.append(try await server.connect(user))  // connected in order: oldest first
            }
            let stopping = Task { await server.stop() }
            let closedAt = try await withThrowingTaskGroup(of: (Int, ContinuousClock.Instant?).self) { group in
                for (index, socket) in sockets.enumerated() {
                    group.addTask {
                        let deadline = ContinuousClock.now + .seconds(6)
                        while ContinuousClock.now < deadline {
                            if await socket.isClosed() { return (index, ContinuousClock.now) }
                            try await Task.sleep(for: .milliseconds(20))
                        }
                        return (index, nil)
                    }
                }
                var times = [ContinuousClock.Instant?](repeating: nil, count: sockets.count)
                for try await (index, time) in group { times[index] = time }
                return times
            }
            _ = await stopping.value
            let closed = closedAt.compactMap { $0 }
            try #require(closed.count == sockets.count, "Exercise 11.2: every connection must be closed by the drain")
            let spread = closed.max()! - closed.min()!
            #expect(
                spread >= .milliseconds(600),
                "Exercise 11.2: 4 batches over 1.2 s must be 0.3 s apart; the first and last closes were only \(spread) apart")
            #expect(
                closedAt[0...1].compactMap { $0 }.max()! < closedAt[6...7].compactMap { $0 }.min()!,
                "Exercise 11.2: the oldest connections are closed first")
        }
    }
}
