// Lesson 03 tests: the connection caps' decisions, without sockets.

import IMGateway
import Testing

@Suite("03 Connection limits")
struct ConnectionLimitsTests {
    private func limits(total: Int, perAddress: Int) -> ConnectionLimits {
        ConnectionLimits(configuration: .init(maxConnections: total, maxConnectionsPerAddress: perAddress))
    }

    private func admittedID(_ admission: ConnectionLimits.Admission) -> ConnectionLimits.ID? {
        if case .admitted(let id, _) = admission { return id }
        return nil
    }

    @Test("under the caps every connection is admitted and counted per address")
    func admitsUnderTheCaps() throws {
        var limits = limits(total: 10, perAddress: 3)
        for _ in 0..<3 { #expect(admittedID(limits.admit(from: "10.0.0.1")) != nil) }
        #expect(admittedID(limits.admit(from: "10.0.0.2")) != nil)
        #expect(limits.count == 4)
        #expect(limits.count(from: "10.0.0.1") == 3)
        #expect(limits.awaitingRequest == 4)
    }

    @Test("at the per-address cap the address's oldest connection without a request makes room; other addresses are untouched")
    func perAddressCapEvictsTheOldestSilentConnection() throws {
        var limits = limits(total: 10, perAddress: 2)
        let other = try #require(admittedID(limits.admit(from: "10.0.0.9")))
        let first = try #require(admittedID(limits.admit(from: "10.0.0.1")))
        let second = try #require(admittedID(limits.admit(from: "10.0.0.1")))
        let third = limits.admit(from: "10.0.0.1")
        guard case .admitted(let id, let evicting) = third else {
            Issue.record("expected the third to be admitted, got \(third)")
            return
        }
        #expect(evicting == first, "the oldest silent connection of that address goes")
        #expect(evicting != other)
        #expect(id > second)
        #expect(limits.count(from: "10.0.0.1") == 2)
        #expect(limits.count == 3)
        limits.closed(first)  // the evicted channel closes later: not counted twice
        #expect(limits.count == 3)
    }

    @Test("when every connection of the address has sent a request, a new one is refused; a close makes room")
    func perAddressCapRefusesWhenNoneIsSilent() throws {
        var limits = limits(total: 10, perAddress: 2)
        let first = try #require(admittedID(limits.admit(from: "10.0.0.1")))
        let second = try #require(admittedID(limits.admit(from: "10.0.0.1")))
        limits.requestArrived(first)
        limits.requestArrived(second)
        #expect(limits.admit(from: "10.0.0.1") == .refused(.perAddress))
        #expect(limits.count == 2, "a refusal changes nothing")
        #expect(admittedID(limits.admit(from: "10.0.0.2")) != nil, "another address is not affected")
        limits.closed(first)
        guard case .admitted(_, nil) = limits.admit(from: "10.0.0.1") else {
            Issue.record("a close makes room without an eviction")
            return
        }
    }

    @Test("at the total cap the oldest connection without a request, from any address, makes room; else the new one is refused")
    func totalCapEvictsThenRefuses() throws {
        var limits = limits(total: 3, perAddress: 3)
        let a = try #require(admittedID(limits.admit(from: "10.0.0.1")))
        let b = try #require(admittedID(limits.admit(from: "10.0.0.2")))
        let c = try #require(admittedID(limits.admit(from: "10.0.0.3")))
        limits.requestArrived(a)
        guard case .admitted(let d, let evicting) = limits.admit(from: "10.0.0.4") else {
            Issue.record("expected an eviction")
            return
        }
        #expect(evicting == b, "a has sent a request; b is the oldest silent one")
        limits.requestArrived(c)
        limits.requestArrived(d)
        #expect(limits.admit(from: "10.0.0.5") == .refused(.total))
        #expect(limits.count == 3)
        #expect(limits.awaitingRequest == 0)
    }

    @Test("a flood of silent connections churns through itself and never goes over the caps")
    func floodStaysWithinTheCaps() throws {
        var limits = limits(total: 50, perAddress: 20)
        var established: [ConnectionLimits.ID] = []
        for index in 0..<10 {
            let id = try #require(admittedID(limits.admit(from: "10.0.1.\(index)")))
            limits.requestArrived(id)
            established.append(id)
        }
        var evictions = 0
        for index in 0..<10_000 {
            let admission = limits.admit(from: "10.0.0.\(index % 5)")
            guard case .admitted(_, let evicting) = admission else {
                Issue.record("a silent flood must never lock out: \(admission)")
                return
            }
            if evicting != nil { evictions += 1 }
            #expect(limits.count <= 50)
            #expect(limits.count(from: "10.0.0.\(index % 5)") <= 20)
        }
        #expect(evictions == 10_000 - 40, "room for 40 silent connections, then one out for each one in")
        for id in established { #expect(limits.count(from: "10.0.1.\(id - 1)") == 1, "established ones stay") }
        // A connection that has sent a request is admitted as well.
        #expect(admittedID(limits.admit(from: "10.0.2.1")) != nil)
    }
}
