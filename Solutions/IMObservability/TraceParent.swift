// Lesson 19: the W3C trace context a frame carries (exercise 19.1).
//
// A message's trace starts on the client: it makes the first span and writes its ids into the
// frame it sends, as the W3C `traceparent` text (`00-<trace id>-<parent span id>-<flags>`). The
// server reads it back and makes its own spans children of the client's, so one trace id follows
// the message through every hop. A text from the network is untrusted: what does not parse is
// refused, never half-used.

import CourseSupport

/// A parsed W3C `traceparent`: which trace, which span is the parent, and whether it is sampled.
public struct TraceParent: Hashable, Sendable, CustomStringConvertible {
    /// 32 lowercase hex digits, never all zero.
    public let traceID: String
    /// 16 lowercase hex digits, never all zero: the span the next one is a child of.
    public let spanID: String
    /// Bit 0 of the flags: the sender recorded this trace.
    public let sampled: Bool

    /// A trace parent from ids the caller made (no check: use `init?(header:)` for input).
    public init(traceID: String, spanID: String, sampled: Bool) {
        self.traceID = traceID
        self.spanID = spanID
        self.sampled = sampled
    }

    /// Reads a `traceparent` header value; nil when it is not a valid one.
    ///
    /// Version `00` has exactly 55 characters. A later version (any but `ff`) may append fields
    /// after a `-`; its first four fields are read as version `00`'s.
    public init?(header: String) {
        // BEGIN EXERCISE 19.1: Parse version-traceid-spanid-flags: lowercase hex of 2/32/16/2 digits, version not ff (00: exactly 55 chars), ids not all zero; sampled = flags bit 0.
        let bytes = Array(header.utf8)
        guard bytes.count >= 55 else { return nil }
        let fields = bytes[0..<55].split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard fields.count == 4, fields[0].count == 2, fields[1].count == 32, fields[2].count == 16, fields[3].count == 2,
            fields.allSatisfy({ $0.allSatisfy(Self.isLowerHex) })
        else { return nil }
        let version = String(decoding: fields[0], as: UTF8.self)
        guard version != "ff" else { return nil }
        if version == "00" {
            guard bytes.count == 55 else { return nil }
        } else if bytes.count > 55 {
            guard bytes[55] == UInt8(ascii: "-") else { return nil }
        }
        guard fields[1].contains(where: { $0 != UInt8(ascii: "0") }), fields[2].contains(where: { $0 != UInt8(ascii: "0") }),
            let flags = UInt8(String(decoding: fields[3], as: UTF8.self), radix: 16)
        else { return nil }
        self.init(
            traceID: String(decoding: fields[1], as: UTF8.self), spanID: String(decoding: fields[2], as: UTF8.self),
            sampled: flags & 1 == 1)
        // STUB: _ = Exercise.notImplemented("19.1", expected: "version-traceid-spanid-flags in lowercase hex (2/32/16/2 digits), version not ff, 55 characters for 00, ids not all zero, sampled = flags & 1")
        // STUB: return nil
        // END EXERCISE 19.1
    }

    /// The header value, version `00`.
    public var header: String { "00-\(traceID)-\(spanID)-\(sampled ? "01" : "00")" }

    public var description: String { header }

    /// The trace id's last 16 hex digits as a number: what a ratio sampler compares (its random part).
    public var traceIDLowBits: UInt64 { UInt64(traceID.suffix(16), radix: 16) ?? 0 }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
