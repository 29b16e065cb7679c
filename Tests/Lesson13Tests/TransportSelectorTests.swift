// Lesson 13 tests, part 2: the client's transport selector, pure — time is a parameter.

import IMTunnel
import Testing

@Suite("13.3 Transport selector (pure)")
struct TransportSelectorTests {
    let ws1 = TransportEndpoint(.webSocket, "http://a:1")
    let ws2 = TransportEndpoint(.webSocket, "http://a:2")
    let tunnel = TransportEndpoint(.tunnel, "http://a:1")
    let policy = TransportSelectorPolicy(stagger: .milliseconds(200), retryDelay: .seconds(1), reprobeInterval: .seconds(30))

    func selector() -> TransportSelector {
        TransportSelector(endpoints: [ws1, ws2, tunnel], policy: policy)
    }

    @Test("attempts start one stagger apart, in order of preference (13.3)")
    func staggeredStarts() {
        var selector = selector()
        #expect(selector.start(now: .zero) == [.attempt(ws1)], "Exercise 13.3: the first endpoint is attempted at once")
        #expect(selector.tick(now: .milliseconds(100)).isEmpty, "Exercise 13.3: the next waits one stagger (200 ms)")
        #expect(selector.tick(now: .milliseconds(200)) == [.attempt(ws2)], "Exercise 13.3: at 200 ms the second endpoint")
        #expect(selector.tick(now: .milliseconds(400)) == [.attempt(tunnel)], "Exercise 13.3: at 400 ms the third")
        #expect(selector.tick(now: .seconds(5)).isEmpty, "Exercise 13.3: nothing is left to start")
        #expect(selector.inFlight == [ws1, ws2, tunnel])
    }

    @Test("the first hello wins; the other attempts are cancelled (13.3)")
    func firstWins() {
        var selector = selector()
        _ = selector.start(now: .zero)
        _ = selector.tick(now: .milliseconds(200))
        let actions = selector.succeeded(ws2, now: .milliseconds(250))
        #expect(actions == [.adopt(ws2), .cancel(ws1)], "the winner is adopted, the slower attempt cancelled")
        #expect(selector.phase == .connected(ws2))
        #expect(selector.tick(now: .seconds(1)).isEmpty, "Exercise 13.3: no more entrants after the race is won")
        #expect(selector.succeeded(ws1, now: .seconds(1)) == [.cancel(ws1)], "a late loser is closed, not adopted")
    }

    @Test("a failed attempt lets the next start at once; when all fail, a new race after retryDelay (13.3)")
    func failures() {
        var selector = selector()
        _ = selector.start(now: .zero)
        #expect(selector.failed(ws1, now: .milliseconds(10)) == [.attempt(ws2)], "Exercise 13.3: the next starts at once")
        #expect(selector.failed(ws2, now: .milliseconds(20)) == [.attempt(tunnel)], "Exercise 13.3: and the one after")
        #expect(selector.failed(tunnel, now: .milliseconds(30)).isEmpty, "all failed: wait")
        #expect(selector.tick(now: .milliseconds(500)).isEmpty, "Exercise 13.3: the new race waits for retryDelay (1 s)")
        #expect(selector.tick(now: .milliseconds(1_030)) == [.attempt(ws1)], "Exercise 13.3: a new race from the top")
    }

    @Test("on the tunnel, WebSocket is probed again and adopted when it works (13.3)")
    func reprobe() {
        var selector = selector()
        _ = selector.start(now: .zero)
        _ = selector.failed(ws1, now: .milliseconds(10))  // refused by a proxy
        _ = selector.failed(ws2, now: .milliseconds(20))
        #expect(selector.succeeded(tunnel, now: .milliseconds(100)) == [.adopt(tunnel)])
        #expect(selector.nextDeadline == .milliseconds(30_100), "the first re-probe is reprobeInterval after adopting the tunnel")
        #expect(selector.tick(now: .seconds(10)).isEmpty, "Exercise 13.3: no probe before its time")
        let probes = selector.tick(now: .milliseconds(30_100))
        #expect(probes == [.attempt(ws1), .attempt(ws2)], "Exercise 13.3: every WebSocket endpoint is probed; got \(probes)")
        _ = selector.failed(ws1, now: .seconds(31))
        #expect(selector.nextDeadline == nil, "a probe is still in flight")
        _ = selector.failed(ws2, now: .seconds(31))
        #expect(selector.nextDeadline == .seconds(61), "both probes failed: the next in reprobeInterval")
        #expect(selector.tick(now: .seconds(61)) == [.attempt(ws1), .attempt(ws2)], "Exercise 13.3: probed again")
        #expect(selector.succeeded(ws2, now: .seconds(62)) == [.adopt(ws2), .cancel(ws1)], "back on WebSocket")
        #expect(selector.nextDeadline == nil, "no probes while on WebSocket")
    }

    @Test("a lost connection starts a new race; a probe in flight gets a head start (13.3)")
    func lostConnection() {
        var selector = selector()
        _ = selector.start(now: .zero)
        _ = selector.succeeded(ws1, now: .milliseconds(50))
        #expect(selector.lost(ws2, now: .seconds(1)).isEmpty, "a connection not in use changes nothing")
        #expect(selector.lost(ws1, now: .seconds(1)) == [.attempt(ws1)], "Exercise 13.3: the race starts again at once")

        var onTunnel = TransportSelector(endpoints: [ws1, tunnel], policy: policy)
        _ = onTunnel.start(now: .zero)
        _ = onTunnel.failed(ws1, now: .zero)
        _ = onTunnel.succeeded(tunnel, now: .zero)
        #expect(onTunnel.tick(now: .seconds(30)) == [.attempt(ws1)])
        // The probe's registration replaced the tunnel session on the server before the probe
        // reported: the tunnel ends first.
        #expect(onTunnel.lost(tunnel, now: .seconds(30)).isEmpty, "Exercise 13.3: the probe in flight gets a head start")
        #expect(onTunnel.succeeded(ws1, now: .milliseconds(30_050)) == [.adopt(ws1)], "the probe wins the race")
    }
}
