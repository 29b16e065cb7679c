// Lesson 12 tests: the frame handler with a made-up logic layer — no sockets. The breaker opens
// on failures and then refuses without calling the store; under overload, read receipts are
// shed before sends.

import IMCore
import IMGateway
import IMResilience
import IMTestSupport
import Synchronization
import Testing

/// How many times the made-up logic layer was called.
final class CallCount: Sendable {
    let value = Mutex(0)
}

@Suite("Flow control handler")
struct FlowControlHandlerTests {
    static let send = ClientFrame.send(id: "s", SendRequest(to: UserID(2), body: "hi"))
    static let read = ClientFrame.read(id: "r", ConversationID.direct(UserID(1), UserID(2)), upToSeq: nil)

    @Test(
        "12.3 failing store calls open the breaker: later sends fail fast with unavailable and retryAfter, and the store is not called"
    )
    func breakerFailsFast() async {
        var configuration = ResilienceConfiguration()
        configuration.sends = nil
        configuration.breaker?.minimumCalls = 5
        configuration.breaker?.openDuration = .seconds(30)
        let handler = FlowControlHandler(gate: ResilienceGate(configuration: configuration))
        let calls = CallCount()
        let failing: () async -> ServerFrame? = {
            calls.value.withLock { $0 += 1 }
            return .error(ref: "s", .internalFailure)
        }
        for _ in 0..<5 { _ = await handler.answer(Self.send, of: UserID(1), next: failing) }
        #expect(calls.value.withLock { $0 } == 5)
        let reply = await handler.answer(Self.send, of: UserID(1), next: failing)
        guard case .error(let ref, let error) = reply else {
            Issue.record("Exercise 12.3: an open breaker answers an error; got \(String(describing: reply))")
            return
        }
        #expect(ref == "s" && error.code == .unavailable, "Exercise 12.3: fail fast with unavailable and ref: \(error)")
        #expect((error.retryAfter ?? 0) >= 29, "retryAfter is the time left open (30 s): \(String(describing: error.retryAfter))")
        #expect(calls.value.withLock { $0 } == 5, "Exercise 12.3: an open breaker does not call the store")
        #expect(handler.gate.statistics.breakerOpened == 1 && handler.gate.statistics.breakerRejected == 1)
    }

    @Test("12.3 after the open duration, probes that succeed close the breaker again: the store has recovered")
    func breakerRecovers() async throws {
        var configuration = ResilienceConfiguration()
        configuration.sends = nil
        configuration.breaker?.minimumCalls = 4
        configuration.breaker?.openDuration = .milliseconds(100)
        configuration.breaker?.halfOpenProbes = 2
        let handler = FlowControlHandler(gate: ResilienceGate(configuration: configuration))
        for _ in 0..<4 { _ = await handler.answer(Self.send, of: UserID(1)) { .error(ref: "s", .internalFailure) } }
        let refused = await handler.answer(Self.send, of: UserID(1)) { .pong(ref: "s") }
        try #require(refused != .pong(ref: "s"), "Exercise 12.3: four failures of four calls open the breaker")
        // The store is back. Once the open duration has passed, a probe goes through.
        let probed = await eventually(timeout: .seconds(5)) {
            await handler.answer(Self.send, of: UserID(1)) { .pong(ref: "s") } == .pong(ref: "s")
        }
        #expect(probed, "after openDuration the breaker lets a probe through")
        var passed = 0
        for _ in 0..<10 {
            let reply = await handler.answer(Self.send, of: UserID(1)) { .pong(ref: "s") }
            if reply == .pong(ref: "s") { passed += 1 }
        }
        #expect(passed == 10, "Exercise 12.3: the second good probe closes it; then every call goes through (\(passed) of 10)")
    }

    @Test("a client's mistakes (invalid_argument, forbidden) do not open the breaker")
    func clientErrorsAreNotFailures() async {
        var configuration = ResilienceConfiguration()
        configuration.sends = nil
        configuration.breaker?.minimumCalls = 5
        let handler = FlowControlHandler(gate: ResilienceGate(configuration: configuration))
        for _ in 0..<20 {
            _ = await handler.answer(Self.send, of: UserID(1)) { .error(ref: "s", .invalidArgument("message body is empty")) }
        }
        let reply = await handler.answer(Self.send, of: UserID(1)) { .pong(ref: "s") }
        #expect(reply == .pong(ref: "s"), "the call went through to the logic layer")
    }

    @Test("12.4 under overload read receipts are shed first; sends still get in; nothing is queued")
    func shedsNonCoreFirst() async {
        var configuration = ResilienceConfiguration()
        configuration.sends = nil
        configuration.breaker = nil
        configuration.concurrency?.initialLimit = 4
        configuration.concurrency?.nonCoreShare = 0.5
        let handler = FlowControlHandler(gate: ResilienceGate(configuration: configuration))
        // Two sends held inside the logic layer until released.
        // (One stream per held call: an AsyncStream has one reader.)
        let gates = (0..<2).map { _ in AsyncStream.makeStream(of: Void.self) }
        let (enteredStream, entered) = AsyncStream.makeStream(of: Void.self)
        let held = Task {
            await withTaskGroup(of: ServerFrame?.self) { group in
                for gate in gates {
                    group.addTask {
                        await handler.answer(Self.send, of: UserID(1)) {
                            entered.yield()
                            for await _ in gate.stream { break }
                            return .pong(ref: "s")
                        }
                    }
                }
                return await group.reduce(into: [ServerFrame?]()) { $0.append($1) }
            }
        }
        var iterator = enteredStream.makeAsyncIterator()
        for _ in 0..<2 { await iterator.next() }
        // 2 in flight of 4: a read receipt (at most half of the limit) is refused at once.
        let read = await handler.answer(Self.read, of: UserID(1)) { .pong(ref: "r") }
        guard case .error(_, let error) = read else {
            Issue.record("a read receipt over its share must be refused; got \(String(describing: read))")
            return
        }
        #expect(error.code == .unavailable && error.retryAfter == 1, "shed with unavailable and retryAfter: \(error)")
        // A send still has room.
        let send = await handler.answer(Self.send, of: UserID(1)) { .pong(ref: "s") }
        #expect(send == .pong(ref: "s"), "a send still gets in under the full limit")
        for gate in gates { gate.continuation.finish() }
        _ = await held.value
        #expect(handler.gate.statistics.shedNonCore == 1 && handler.gate.statistics.shedCore == 0)
    }

    @Test("a later lesson's frame is core only when its extension says so: group.send gets in where room.post is shed")
    func extensionsNameTheirCoreFrames() async {
        var configuration = ResilienceConfiguration()
        configuration.sends = nil
        configuration.breaker = nil
        configuration.concurrency?.minLimit = 2
        configuration.concurrency?.initialLimit = 2
        configuration.concurrency?.nonCoreShare = 0.5
        let handler = FlowControlHandler(
            gate: ResilienceGate(configuration: configuration), coreFrameTypes: CoreFrameTypes(["group.send"]))
        let (gate, release) = AsyncStream.makeStream(of: Void.self)
        let (enteredStream, entered) = AsyncStream.makeStream(of: Void.self)
        // One send held inside the logic layer: 1 in flight of 2, the non-core share is full.
        let held = Task {
            await handler.answer(Self.send, of: UserID(1)) {
                entered.yield()
                for await _ in gate { break }
                return .pong(ref: "s")
            }
        }
        var iterator = enteredStream.makeAsyncIterator()
        await iterator.next()
        let room = ClientFrame.extension(ExtensionFrame(type: "room.post", id: "p", data: nil))
        let group = ClientFrame.extension(ExtensionFrame(type: "group.send", id: "g", data: nil))
        let shed = await handler.answer(room, of: UserID(2)) { .pong(ref: "p") }
        guard case .error(_, let error) = shed, error.code == .unavailable else {
            Issue.record("room.post is not named core: it is shed over the non-core share; got \(String(describing: shed))")
            return
        }
        let kept = await handler.answer(group, of: UserID(2)) { .pong(ref: "g") }
        #expect(kept == .pong(ref: "g"), "group.send is named core by its extension: it still gets in")
        release.finish()
        _ = await held.value
    }

    @Test("12.1 sends over a user's rate are refused rate_limited; other users and pings are not affected")
    func sendRate() async {
        var configuration = ResilienceConfiguration()
        configuration.sends = .init(rate: 1, burst: 3)
        let handler = FlowControlHandler(gate: ResilienceGate(configuration: configuration))
        var refused: [IMError] = []
        for _ in 0..<5 {
            if case .error(_, let error) = await handler.answer(Self.send, of: UserID(1), next: { .pong(ref: "s") }) {
                refused.append(error)
            }
        }
        #expect(refused.count == 2, "Exercise 12.1: burst 3 of 5 go through; got \(refused.count) refused")
        #expect(refused.allSatisfy { $0.code == .rateLimited && $0.retryAfter == 1 }, "\(refused)")
        let other = await handler.answer(Self.send, of: UserID(7)) { .pong(ref: "s") }
        #expect(other == .pong(ref: "s"), "another user has their own bucket")
        let ping = await handler.answer(.ping(id: "p"), of: UserID(1)) { .pong(ref: "p") }
        #expect(ping == .pong(ref: "p"), "a heartbeat is never refused")
    }
}
