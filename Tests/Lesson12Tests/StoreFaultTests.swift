// Lesson 12 tests: a real store fault. Another SQLite connection holds the database's write lock,
// as a long migration or a backup tool would; the server's writes wait for it. Nothing is faked:
// the server, its SQLite file and the lock are real, and the breaker learns from what it sees.

import Dispatch
import GRDB
import IMClient
import IMComposition
import IMCore
import IMResilience
import IMServer
import IMTestSupport
import Testing

/// Holds SQLite's write lock on a database file from a connection of its own, until released.
/// The lock is held by a thread of its own that blocks; the test's tasks only await it, so no
/// thread of Swift's small concurrency pool (which the server under test runs on) is ever blocked.
final class WriteLockHolder: Sendable {
    private let release: DispatchSemaphore
    private let finished: AsyncStream<Void>

    private init(release: DispatchSemaphore, finished: AsyncStream<Void>) {
        self.release = release
        self.finished = finished
    }

    /// Takes the lock (`BEGIN IMMEDIATE`), or throws when the database would not give it.
    static func take(path: String) async throws -> WriteLockHolder {
        let queue = try DatabaseQueue(path: path)
        let release = DispatchSemaphore(value: 0)
        let (taken, tookIt) = AsyncStream.makeStream(of: Bool.self)
        let (finished, finish) = AsyncStream.makeStream(of: Void.self)
        DispatchQueue(label: "write-lock-holder").async {
            do {
                try queue.inDatabase { db in
                    try db.execute(sql: "BEGIN IMMEDIATE")
                    tookIt.yield(true)
                    release.wait()
                    try db.execute(sql: "COMMIT")
                }
            } catch {
                tookIt.yield(false)
            }
            finish.finish()
        }
        var iterator = taken.makeAsyncIterator()
        guard await iterator.next() == true else { throw WriteLockError() }
        return WriteLockHolder(release: release, finished: finished)
    }

    /// Releases the lock and waits until it is released.
    func unlock() async {
        release.signal()
        for await _ in finished {}
    }
}

struct WriteLockError: Error {}

@Suite("12 A real store fault", .serialized)
struct StoreFaultTests {
    @Test(
        "12.3 a store held locked by another connection makes sends slow: the breaker opens and refuses at once; when the lock is gone, probes close it, and every acknowledged message is stored once"
    )
    func lockedStoreOpensAndClosesTheBreaker() async throws {
        try await withTestServer(configure: {
            $0.resilience.sends = nil
            $0.resilience.concurrency = nil  // the breaker alone
            $0.resilience.breaker?.minimumCalls = 4
            $0.resilience.breaker?.slowCallDuration = .milliseconds(300)
            $0.resilience.breaker?.openDuration = .seconds(1)
            $0.resilience.breaker?.halfOpenProbes = 2
        }) { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            var sockets: [IMWebSocketClient] = []
            for device in 0..<4 {
                sockets.append(try await server.connect(try await server.login(alice, deviceID: "d\(device)")))
            }
            defer { for socket in sockets { socket.close() } }
            let gate = try #require(server.server.serverExtension(Resilience.self)?.gate)

            // The fault: four sends, one per device, wait behind another connection's write lock.
            let lock = try await WriteLockHolder.take(path: server.server.configuration.databasePath)
            for (device, socket) in sockets.enumerated() {
                socket.send(
                    .send(id: "slow\(device)", SendRequest(to: bob.id, body: "slow \(device)", clientMsgID: "slow\(device)")))
            }
            try await Task.sleep(for: .milliseconds(700))  // the store stays slow this long
            await lock.unlock()
            var acknowledged: [String] = []
            for socket in sockets {
                guard case .ack(_, let message) = try await socket.next(where: { if case .ack = $0 { true } else { false } })
                else {
                    continue
                }
                acknowledged.append(message.body)
            }
            #expect(acknowledged.count == 4, "the slow sends still succeed once the lock is gone: \(acknowledged)")
            #expect(gate.statistics.breakerOpened == 1, "Exercise 12.3: four calls over slowCallDuration open the breaker")

            // Open: the next send is refused at once, and the store is not asked.
            let refused = try await sendExpectingError(on: sockets[0], id: "fast1", clientMsgID: "after", to: bob.id)
            #expect(
                refused?.code == .unavailable && (refused?.retryAfter ?? 0) >= 1,
                "Exercise 12.3: an open breaker answers unavailable with retryAfter: \(String(describing: refused))")

            // After retryAfter the client sends the same message again; the probes succeed and close it.
            try await Task.sleep(for: .seconds(Int64(refused?.retryAfter ?? 1)) + .milliseconds(100))
            let retried = try await sockets[0].sendMessage(to: bob.id, body: "after", clientMsgID: "after", requestID: "retry")
            #expect(retried.body == "after", "a probe goes through once openDuration has passed")
            for index in 0..<3 {
                _ = try await sockets[1].sendMessage(
                    to: bob.id, body: "more \(index)", clientMsgID: "more\(index)", requestID: "m\(index)")
            }
            #expect(gate.statistics.breakerOpened == 1, "good probes closed the breaker: it did not open again")

            let stored = try await bob.http.sync(after: 0).entries.compactMap(\.message).map(\.body)
            #expect(
                stored.sorted() == (acknowledged + ["after", "more 0", "more 1", "more 2"]).sorted(),
                "every acknowledged message is stored exactly once, the refused one only after its retry: \(stored)")
        }
    }

    /// Sends one message and returns the error it was answered with (nil for an ack).
    private func sendExpectingError(
        on socket: IMWebSocketClient, id: String, clientMsgID: String, to user: UserID
    ) async throws -> IMError? {
        do {
            _ = try await socket.sendMessage(to: user, body: clientMsgID, clientMsgID: clientMsgID, requestID: id)
            return nil
        } catch IMClientError.server(_, let error) {
            return error
        }
    }
}
