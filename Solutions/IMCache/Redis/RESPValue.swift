// Lesson 17: the values of RESP2, the protocol Redis speaks (https://redis.io/docs/latest/develop/reference/protocol-spec/).
//
// Given. Every reply starts with one byte that says its kind and ends its header with CRLF:
// `+OK`, `-ERR message`, `:42`, `$5\r\nhello` (or `$-1`, no value), `*2` then two more values
// (or `*-1`). A request is always an array of bulk strings.

import NIOCore

/// One RESP2 reply.
public enum RESPValue: Hashable, Sendable {
    /// `+text`: a short status such as `OK` or `PONG`.
    case simpleString(String)
    /// `-CODE message`: the command failed; the server is fine and the connection can go on.
    case error(String)
    /// `:n`
    case integer(Int64)
    /// `$n` then n bytes; `nil` for `$-1` (the key does not exist).
    case bulkString([UInt8]?)
    /// `*n` then n values; `nil` for `*-1`.
    case array([RESPValue]?)
}

extension RESPValue {
    /// The bytes of a bulk string, or nil for a missing value.
    public var bytes: [UInt8]? {
        if case .bulkString(let bytes) = self { return bytes }
        return nil
    }
}

/// Writes requests: every command is an array of bulk strings, so any byte may appear in a key
/// or value without escaping.
public enum RESPEncoder {
    public static func encode(_ command: [[UInt8]], into buffer: inout ByteBuffer) {
        buffer.writeString("*\(command.count)\r\n")
        for argument in command {
            buffer.writeString("$\(argument.count)\r\n")
            buffer.writeBytes(argument)
            buffer.writeString("\r\n")
        }
    }
}
