// Lesson 17: what can go wrong between the IM and Redis, each with a stable code for logs and metrics.

/// A failed Redis command. The cache treats every one of them as a miss of level 2 and reads on
/// from the store: Redis is an accelerator, never the source of truth.
public enum RedisError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Could not connect (refused, unreachable, or the connect time-out passed).
    case connectFailed(String)
    /// No reply within the command time-out. The connection is closed: a late reply would be
    /// taken as the answer to the next command.
    case timedOut
    /// The connection closed with commands in flight.
    case connectionClosed
    /// Bytes that are not RESP2; the connection is closed.
    case protocolError(String)
    /// Redis answered `-ERR …` (or another error prefix): the command was refused.
    case server(String)
    /// A reply of a kind the command does not return.
    case unexpectedReply(String)

    /// A stable code: `redis_connect`, `redis_timeout`, …
    public var code: String {
        switch self {
        case .connectFailed: "redis_connect"
        case .timedOut: "redis_timeout"
        case .connectionClosed: "redis_closed"
        case .protocolError: "redis_protocol"
        case .server: "redis_server"
        case .unexpectedReply: "redis_reply"
        }
    }

    public var description: String {
        switch self {
        case .connectFailed(let detail): "\(code): could not connect to Redis: \(detail)"
        case .timedOut: "\(code): Redis did not answer in time"
        case .connectionClosed: "\(code): the Redis connection closed"
        case .protocolError(let detail): "\(code): not RESP2: \(detail)"
        case .server(let message): "\(code): Redis refused the command: \(message)"
        case .unexpectedReply(let detail): "\(code): unexpected reply \(detail)"
        }
    }
}
