// Tools support: why an im-server process could not start.

/// Why a `ServerProcess` could not start.
public enum ServerProcessError: Error, CustomStringConvertible, Sendable {
    /// The process ended before `/health` answered; the end of its log says why.
    case exitedAtStart(logPath: String, logTail: String)
    /// No loopback port could be reserved.
    case noFreePort(errno: Int32)

    public var description: String {
        switch self {
        case .exitedAtStart(let logPath, let logTail): "im-server exited at start; the end of \(logPath):\n\(logTail)"
        case .noFreePort(let errno): "no free loopback port (errno \(errno))"
        }
    }
}
