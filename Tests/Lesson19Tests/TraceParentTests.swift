// Lesson 19 tests, exercise 19.1: reading and writing the W3C `traceparent` a frame carries.

import IMObservability
import Testing

@Suite("19.1 traceparent")
struct TraceParentTests {
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    let span = "00f067aa0ba902b7"

    @Test("19.1: a version-00 traceparent gives its trace id, parent span id and sampled flag")
    func parsesVersion00() throws {
        let parent = try #require(TraceParent(header: "00-\(trace)-\(span)-01"), "19.1: a valid traceparent must parse")
        #expect(parent.traceID == trace, "19.1: the trace id is the second field")
        #expect(parent.spanID == span, "19.1: the parent span id is the third field")
        #expect(parent.sampled, "19.1: flags 01 means sampled")
        #expect(TraceParent(header: "00-\(trace)-\(span)-00")?.sampled == false, "19.1: flags 00 means not sampled")
        #expect(TraceParent(header: "00-\(trace)-\(span)-03")?.sampled == true, "19.1: sampled is bit 0 of the flags")
    }

    @Test("19.1: header writes what init(header:) reads")
    func roundTrips() throws {
        let parent = TraceParent(traceID: trace, spanID: span, sampled: true)
        #expect(parent.header == "00-\(trace)-\(span)-01")
        #expect(TraceParent(header: parent.header) == parent, "19.1: a written traceparent must read back the same")
    }

    @Test(
        "19.1: malformed traceparents are refused",
        arguments: [
            "", "00", "00-\(String(repeating: "0", count: 32))-00f067aa0ba902b7-01",  // trace id all zero
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // span id all zero
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version ff
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // 00 has exactly 55 characters
            "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",  // fields of the wrong length
            "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",  // wrong separator
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",  // not hex
        ])
    func refusesMalformed(_ header: String) {
        #expect(TraceParent(header: header) == nil, "19.1: `\(header)` is not a valid traceparent")
    }

    @Test("19.1: a later version is read by its first four fields")
    func readsLaterVersion() {
        let parent = TraceParent(header: "01-\(trace)-\(span)-01-more-fields")
        #expect(parent?.traceID == trace, "19.1: version 01 with extra fields must parse")
        #expect(TraceParent(header: "01-\(trace)-\(span)-01x") == nil, "19.1: extra fields follow a dash")
    }
}
