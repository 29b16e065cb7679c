// The client library of the IM: errors.

import IMCore

/// A failure seen by the client.
public enum IMClientError: Error, CustomStringConvertible, Sendable {
    /// The server answered with an error (the documented `{code, message}` shape).
    case server(status: Int, IMError)
    /// The server's answer could not be read.
    case unreadableResponse(status: Int, body: String)
    /// No frame came within the time allowed.
    case timedOut(String)
    /// The connection is closed.
    case closed

    public var description: String {
        switch self {
        case .server(let status, let error): "server answered \(status) \(error.code.rawValue): \(error.message)"
        case .unreadableResponse(let status, let body): "unreadable response \(status): \(body.prefix(300))"
        case .timedOut(let what): "timed out waiting for \(what)"
        case .closed: "connection closed"
        }
    }

    /// The server's error code, if the server answered with one.
    public var code: ErrorCode? {
        if case .server(_, let error) = self { return error.code }
        return nil
    }
}
