// Lesson 10 tests: new connections go to the least-loaded gateway (pure).

import IMLiveRoom
import Testing

@Suite("10 Gateway scheduler (pure)")
struct GatewaySchedulerTests {
    func load(_ connections: Int, bytes: Int = 0, draining: Bool = false) -> GatewayLoad {
        GatewayLoad(connections: connections, rooms: 1, viewers: connections, outboundBytesPerSecond: bytes, draining: draining)
    }

    @Test("least loaded first; ties by outbound bytes; unknown after known; draining last")
    func order() {
        let addresses = ["http://a", "http://b", "http://c", "http://d", "http://e"]
        let loads = [
            "http://a": load(900), "http://b": load(100, bytes: 50), "http://c": load(100, bytes: 10),
            "http://e": load(1, draining: true),
        ]
        #expect(
            GatewayScheduler.order(addresses, loads: loads) == ["http://c", "http://b", "http://a", "http://d", "http://e"])
    }

    @Test("the byte rate covers the last second")
    func byteRate() {
        var rate = ByteRate()
        rate.record(100, at: .milliseconds(0))
        rate.record(200, at: .milliseconds(500))
        rate.record(300, at: .milliseconds(1_200))
        #expect(rate.perSecond(at: .milliseconds(1_200)) == 500)
    }
}
