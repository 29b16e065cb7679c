// Lesson 13 tests: the JSON values that carry frames inside tunnel bodies, on inputs the fuzzer
// (Fuzz/run.sh tunnel-wire) found.

import IMCore
import IMTunnel
import Testing

@Suite("13 Tunnel wire")
struct TunnelWireTests {
    /// Read, written out as the tunnel relays it, and read again.
    func relayed(_ json: String) throws -> (first: JSONValue, relayed: JSONValue) {
        let first = try JSONValue(json: Array(json.utf8))
        return (first, try JSONValue(json: first.jsonBytes))
    }

    /// A number's value as a Double, whichever case holds it.
    func double(_ value: JSONValue) -> Double? {
        switch value {
        case .integer(let integer): Double(integer)
        case .number(let number): number
        default: nil
        }
    }

    @Test("a relayed number keeps its value, though a whole Double may come back as an integer; a second trip changes nothing")
    func numbersKeepTheirValue() throws {
        // The first is the fuzzer's: its Double is a whole number, which JSONEncoder writes with
        // an exponent, and that text reads back as an Int64 of the same value.
        for text in ["98233720583647716.86018709551615", "1.0", "0.5", "-1.5e300", "1e3", "-0.0"] {
            let (first, relayed) = try relayed(text)
            #expect(double(first) == double(relayed), "\(text) was \(first), relayed as \(relayed)")
            #expect(try JSONValue(json: relayed.jsonBytes) == relayed, "\(text) changes on a second trip")
        }
    }

    @Test("integers keep every bit across the tunnel, the extremes of Int64 included")
    func integersStayExact() throws {
        let (first, relayed) = try relayed("[9223372036854775807, -9223372036854775808, 0, -0]")
        #expect(first == relayed)
        #expect(first == .array([.integer(.max), .integer(.min), .integer(0), .integer(0)]))
    }
}
