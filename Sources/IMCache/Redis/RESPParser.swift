// LESSON 17 STARTER, generated from Solutions/IMCache/Redis/RESPParser.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 17: reading RESP2 replies from a byte stream.
//
// You write exercise 17.2 here. TCP hands over bytes in pieces of any size, so the parser must
// say "not yet" (nil) when a reply is cut short and consume nothing, and throw on bytes that can
// never become a reply, so the connection is closed rather than misread.

import CourseSupport
import NIOCore

/// Parses one reply at a time from the front of a buffer.
public struct RESPParser: Sendable {
    /// Longest bulk string accepted (Redis' own limit is 512 MB; a cache of profiles needs far less).
    public var maxBulkLength: Int
    /// Longest array accepted, and deepest nesting.
    public var maxArrayCount: Int
    public var maxDepth: Int

    public init(maxBulkLength: Int = 16 << 20, maxArrayCount: Int = 1 << 20, maxDepth: Int = 8) {
        self.maxBulkLength = maxBulkLength
        self.maxArrayCount = maxArrayCount
        self.maxDepth = maxDepth
    }

    /// The first complete reply in `buffer`, whose bytes are then consumed; nil (and nothing
    /// consumed) when the reply is not complete yet.
    public func parse(_ buffer: inout ByteBuffer) throws(RedisError) -> RESPValue? {
        var view = buffer
        guard let value = try parseValue(&view, depth: 0) else { return nil }
        buffer = view
        return value
    }

    func parseValue(_ buffer: inout ByteBuffer, depth: Int) throws(RedisError) -> RESPValue? {
        // BEGIN EXERCISE 17.2: Read the kind byte and its CRLF-terminated header; return nil when incomplete; for `$` read n bytes and CRLF, for `*` read n values; throw protocolError on anything else.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 17
        _ = Exercise.notImplemented("17.2", expected: "one complete RESP2 reply parsed and consumed; nil and nothing consumed when incomplete; protocolError on bad bytes")
        return nil
        // END EXERCISE 17.2
    }

    /// The text up to the next CRLF, consumed with it; nil when no CRLF has arrived yet.
    static func line(_ buffer: inout ByteBuffer) throws(RedisError) -> String? {
        let view = buffer.readableBytesView
        guard let cr = view.firstIndex(of: 13) else {
            // A header is short; a long run of bytes without CR is garbage, not a slow reply.
            if view.count > 64 * 1024 { throw .protocolError("header longer than 64 KiB") }
            return nil
        }
        guard view.index(after: cr) < view.endIndex else { return nil }
        guard view[view.index(after: cr)] == 10 else { throw .protocolError("CR not followed by LF") }
        let text = String(decoding: view[view.startIndex..<cr], as: UTF8.self)
        buffer.moveReaderIndex(forwardBy: cr - view.startIndex + 2)
        return text
    }

    static func integer(_ text: String) throws(RedisError) -> Int64 {
        guard let value = Int64(text) else { throw .protocolError("not an integer: \(text.prefix(32))") }
        return value
    }
}
