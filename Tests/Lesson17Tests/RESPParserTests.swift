// Lesson 17 tests, part 2: the RESP2 reply parser (17.2). No I/O: bytes in, replies out.

import IMCache
import NIOCore
import Testing

@Suite("17.2 RESP2 parser")
struct RESPParserTests {
    func parseAll(_ text: String) throws -> [RESPValue] {
        var buffer = ByteBuffer(string: text)
        var values: [RESPValue] = []
        while let value = try RESPParser().parse(&buffer) { values.append(value) }
        #expect(buffer.readableBytes == 0, "Exercise 17.2: every byte of complete replies consumed")
        return values
    }

    @Test("17.2: each kind of reply")
    func kinds() throws {
        #expect(try parseAll("+OK\r\n") == [.simpleString("OK")], "Exercise 17.2: a simple string")
        #expect(try parseAll("-ERR wrong type\r\n") == [.error("ERR wrong type")], "Exercise 17.2: an error")
        #expect(try parseAll(":-42\r\n") == [.integer(-42)], "Exercise 17.2: an integer")
        #expect(try parseAll("$5\r\nhello\r\n") == [.bulkString(Array("hello".utf8))], "Exercise 17.2: a bulk string")
        #expect(try parseAll("$0\r\n\r\n") == [.bulkString([])], "Exercise 17.2: an empty bulk string")
        #expect(try parseAll("$-1\r\n") == [.bulkString(nil)], "Exercise 17.2: a missing value")
        #expect(try parseAll("*-1\r\n") == [.array(nil)], "Exercise 17.2: a missing array")
        #expect(
            try parseAll("*3\r\n$1\r\na\r\n$-1\r\n*1\r\n:7\r\n")
                == [.array([.bulkString([97]), .bulkString(nil), .array([.integer(7)])])],
            "Exercise 17.2: an array with a null and a nested array")
    }

    @Test("17.2: a bulk string may hold CR, LF and any byte: its length decides, not a delimiter")
    func binarySafe() throws {
        #expect(
            try parseAll("$6\r\na\r\nb\r\n\r\n") == [.bulkString(Array("a\r\nb\r\n".utf8))],
            "Exercise 17.2: six bytes read by length, CRLFs inside")
    }

    @Test("17.2: replies cut anywhere return nil and consume nothing until complete")
    func incremental() throws {
        let stream = "+OK\r\n*2\r\n$3\r\nfoo\r\n:12\r\n$-1\r\n-ERR x\r\n"
        let expected: [RESPValue] = [
            .simpleString("OK"), .array([.bulkString(Array("foo".utf8)), .integer(12)]), .bulkString(nil), .error("ERR x"),
        ]
        var buffer = ByteBuffer()
        var values: [RESPValue] = []
        for byte in stream.utf8 {
            buffer.writeInteger(byte)
            let before = buffer.readableBytes
            if let value = try RESPParser().parse(&buffer) {
                values.append(value)
            } else {
                #expect(buffer.readableBytes == before, "Exercise 17.2: an incomplete reply consumes nothing")
            }
        }
        #expect(values == expected, "Exercise 17.2: byte by byte, the same four replies; got \(values)")
        #expect(try parseAll(stream) == expected, "Exercise 17.2: all at once (pipelined), the same four")
    }

    @Test("17.2: bytes that are not RESP2 are refused with redis_protocol")
    func refusesGarbage() {
        for bad in ["?what\r\n", ":12a\r\n", "$3\r\nabcX\r\n", "*x\r\n", "$-5\r\n", "+OK\rX"] {
            var buffer = ByteBuffer(string: bad)
            #expect(throws: RedisError.self, "Exercise 17.2: \(bad.debugDescription) is refused") {
                _ = try RESPParser().parse(&buffer)
            }
        }
        var huge = ByteBuffer(string: "$99999999999\r\n")
        #expect(throws: RedisError.self, "Exercise 17.2: a bulk length over the limit is refused") {
            _ = try RESPParser(maxBulkLength: 1_000).parse(&huge)
        }
    }

    @Test("requests are arrays of bulk strings")
    func encodesRequests() {
        var buffer = ByteBuffer()
        RESPEncoder.encode([Array("SET".utf8), Array("k".utf8), [0, 13, 10]], into: &buffer)
        #expect(buffer == ByteBuffer(bytes: Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n".utf8) + [0, 13, 10, 13, 10]))
    }
}
