// Lesson 08 tests, part 1: the adaptive heartbeat and the idle ledger, as pure state machines.

import IMCore
import IMHeartbeat
import Testing

@Suite("08 Adaptive heartbeat (pure)")
struct AdaptiveHeartbeatTests {
    /// The library figures in minutes, as the lesson describes them.
    static let minutes = HeartbeatPolicy()

    @Test("probing steps up by one step per answered heartbeat")
    func probingStepsUp() {
        var heartbeat = AdaptiveHeartbeat(policy: Self.minutes)
        #expect(heartbeat.interval == .seconds(210), "the search starts at the initial interval")
        let next = heartbeat.didSucceed()
        #expect(next == .seconds(270), "Exercise 08.1: after a success while probing, interval + step; got \(next)")
        heartbeat.didSucceed()
        #expect(heartbeat.interval == .seconds(330), "Exercise 08.1: a second success adds another step")
        #expect(heartbeat.lastSurvived == .seconds(270), "Exercise 08.1: the interval that survived is remembered")
        #expect(heartbeat.phase == .probing)
    }

    @Test("a failed probe settles a margin below the last interval that survived")
    func failureSettlesBelowLastSurvivor() {
        var heartbeat = AdaptiveHeartbeat(policy: Self.minutes)
        heartbeat.didSucceed()  // 210 survived → 270
        heartbeat.didSucceed()  // 270 survived → 330
        let settled = heartbeat.didFail()  // 330 failed
        #expect(
            settled == .seconds(250),
            "Exercise 08.2: settled at lastSurvived (270 s) − margin (20 s) = 250 s; got \(settled)")
        #expect(heartbeat.phase == .settled, "Exercise 08.2: a failed probe after a survivor ends the search")
        heartbeat.didSucceed()
        #expect(heartbeat.interval == .seconds(250), "Exercise 08.1: a settled interval does not move on success")
    }

    @Test("the search stops at the ceiling")
    func ceilingSettles() {
        var heartbeat = AdaptiveHeartbeat(policy: Self.minutes)
        var intervals: [Duration] = [heartbeat.interval]
        for _ in 0..<10 { intervals.append(heartbeat.didSucceed()) }
        #expect(intervals.max() == .seconds(600), "Exercise 08.1: never above the ceiling; got \(intervals)")
        #expect(heartbeat.phase == .settled, "Exercise 08.1: a heartbeat that survives at the ceiling settles there")
        #expect(heartbeat.interval == .seconds(600))
    }

    @Test("stable after the configured number of successes at the settled interval (08.2)")
    func stableAfterSuccesses() {
        var heartbeat = AdaptiveHeartbeat(policy: Self.minutes)
        heartbeat.didSucceed()
        heartbeat.didFail()
        for count in 1...5 {
            #expect(!heartbeat.isStable, "not stable after \(count - 1) successes")
            heartbeat.didSucceed()
        }
        #expect(heartbeat.isStable, "Exercise 08.1: stable after 5 successes at the settled interval")
    }

    @Test("two failures in a row back off to the floor and probe again (08.1)")
    func backoffAfterConsecutiveFailures() {
        var heartbeat = AdaptiveHeartbeat(policy: Self.minutes)
        heartbeat.didSucceed()
        heartbeat.didFail()  // settled at 190 s
        #expect(heartbeat.interval == .seconds(190))
        heartbeat.didFail()  // one blip is tolerated…
        #expect(heartbeat.phase == .probing, "Exercise 08.2: a second failure in a row distrusts the result")
        #expect(heartbeat.interval == .seconds(30), "Exercise 08.2: back off to the floor; got \(heartbeat.interval)")
        #expect(heartbeat.lastSurvived == nil, "Exercise 08.2: the search starts over")
        heartbeat.didSucceed()
        #expect(heartbeat.interval == .seconds(90), "probing again, upward from the floor")
    }

    @Test("a single failure while settled is a blip: the interval stays (08.1)")
    func singleFailureWhileSettledIsTolerated() {
        var heartbeat = AdaptiveHeartbeat(policy: Self.minutes, remembered: .seconds(400))
        heartbeat.didFail()
        #expect(heartbeat.interval == .seconds(400), "Exercise 08.2: one failure while settled changes nothing")
        heartbeat.didSucceed()
        heartbeat.didFail()
        #expect(heartbeat.interval == .seconds(400), "Exercise 08.2: a success in between resets the count")
    }

    @Test("a network's stable interval is remembered and reused without searching")
    func memoryPerNetwork() {
        var memory = HeartbeatMemory()
        memory.remember(.seconds(250), for: "wifi:office")
        let office = memory.heartbeat(for: "wifi:office", policy: Self.minutes)
        #expect(office.interval == .seconds(250) && office.phase == .settled && office.isStable)
        let carrier = memory.heartbeat(for: "cell:carrier-a", policy: Self.minutes)
        #expect(carrier.interval == .seconds(210) && carrier.phase == .probing, "an unknown network starts a search")
        memory.forget("wifi:office")
        #expect(memory.interval(for: "wifi:office") == nil)
    }
}

@Suite("08.3 Idle ledger (pure)")
struct IdleLedgerTests {
    @Test("a sweep takes out exactly the connections silent for longer than the timeout (08.3)")
    func sweepTakesOutSilentConnections() {
        var ledger = IdleLedger(idleTimeout: .seconds(360))
        let quiet = ConnectionID(1)
        let chatty = ConnectionID(2)
        ledger.heard(from: quiet, at: .seconds(0))
        ledger.heard(from: chatty, at: .seconds(0))
        ledger.heard(from: chatty, at: .seconds(300))

        #expect(ledger.sweep(at: .seconds(360)).isEmpty, "Exercise 08.3: exactly at the timeout is not yet over it")
        let expired = ledger.sweep(at: .seconds(361))
        #expect(expired == [quiet], "Exercise 08.3: only the connection silent for 361 s expires; got \(expired)")
        #expect(!ledger.contains(quiet) && ledger.contains(chatty), "Exercise 08.3: the expired one leaves the ledger")
        #expect(ledger.sweep(at: .seconds(361)).isEmpty, "Exercise 08.3: a connection is swept once")
        #expect(ledger.sweep(at: .seconds(661)) == [chatty], "Exercise 08.3: the other one expires 360 s after its last frame")
        #expect(ledger.count == 0)
    }

    @Test("a sweep looks only at the connections whose slot is due, and files the living again (08.3)")
    func sweepOpensOnlyDueSlots() {
        var ledger = IdleLedger(idleTimeout: .seconds(360), slotWidth: .seconds(1))
        for number in 1...1_000 { ledger.heard(from: ConnectionID(UInt64(number)), at: .zero) }
        let chatty = ConnectionID(5_000)
        ledger.heard(from: chatty, at: .zero)
        for second in stride(from: 10, through: 350, by: 10) { ledger.heard(from: chatty, at: .seconds(second)) }
        let late = ConnectionID(6_000)
        ledger.heard(from: late, at: .seconds(100))

        #expect(ledger.sweep(at: .seconds(10)).isEmpty)
        #expect(
            ledger.examinedInLastSweep == 0,
            "Exercise 08.3: at 10 s no slot is due, so nothing is examined; examined \(ledger.examinedInLastSweep)")
        let expired = ledger.sweep(at: .seconds(361))
        #expect(expired.count == 1_000 && !expired.contains(chatty), "Exercise 08.3: the 1,000 silent ones expire at 361 s")
        #expect(
            ledger.examinedInLastSweep == 1_001,
            "Exercise 08.3: only the 1,001 filed in due slots are examined (not the late one, due at 460 s); examined \(ledger.examinedInLastSweep)"
        )
        #expect(ledger.contains(chatty), "Exercise 08.3: a connection heard from since it was filed stays")
        #expect(
            ledger.sweep(at: .seconds(460)).isEmpty && ledger.examinedInLastSweep == 1, "Exercise 08.3: the late one, at its time"
        )
        #expect(
            ledger.sweep(at: .seconds(711)) == [chatty, late], "Exercise 08.3: the chatty one expires 360 s after its last frame")
    }

    @Test("a removed connection is never swept (08.3)")
    func removedConnectionsAreForgotten() {
        var ledger = IdleLedger(idleTimeout: .seconds(10))
        ledger.heard(from: ConnectionID(7), at: .zero)
        ledger.remove(ConnectionID(7))
        #expect(ledger.sweep(at: .seconds(100)).isEmpty)
    }
}
