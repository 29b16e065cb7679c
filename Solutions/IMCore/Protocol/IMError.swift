// Lesson 01: one error shape for every transport.
//
// HTTP answers and WebSocket error frames carry the same `{code, message}` so a client handles
// failures in one place. The code is for programs, the message for people.

/// What went wrong, as a stable machine-readable code (see docs/PROTOCOL.md).
public enum ErrorCode: String, Sendable, Codable, CaseIterable {
    case badFrame = "bad_frame"
    case unsupportedVersion = "unsupported_version"
    case unknownType = "unknown_type"
    case frameTooLarge = "frame_too_large"
    case invalidArgument = "invalid_argument"
    case unauthorized
    case forbidden
    case notFound = "not_found"
    case conflict
    case `internal`
    case notImplemented = "not_implemented"
    /// Too many requests of a kind (failed logins, sends): wait `retryAfter` seconds.
    case rateLimited = "rate_limited"
    /// The server refuses work it cannot do now (overloaded, or its store failing: lesson 12);
    /// nothing was changed, try again after `retryAfter` seconds.
    case unavailable

    /// The HTTP status that carries this code.
    public var httpStatus: Int {
        switch self {
        case .badFrame, .unsupportedVersion, .unknownType, .invalidArgument: 400
        case .frameTooLarge: 413
        case .unauthorized: 401
        case .forbidden: 403
        case .notFound: 404
        case .conflict: 409
        case .internal: 500
        case .notImplemented: 501
        case .rateLimited: 429
        case .unavailable: 503
        }
    }
}

/// An error the server reports to a client. Anything else thrown inside the server is reported
/// as `internal` without its details.
public struct IMError: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    public let code: ErrorCode
    public let message: String
    /// With `rate_limited` and `unavailable`: whole seconds to wait before trying again (also sent as `Retry-After`).
    public let retryAfter: Int?

    public init(_ code: ErrorCode, _ message: String, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

extension IMError {
    public static func badFrame(_ message: String) -> IMError { IMError(.badFrame, message) }
    public static func invalidArgument(_ message: String) -> IMError { IMError(.invalidArgument, message) }
    public static func forbidden(_ message: String) -> IMError { IMError(.forbidden, message) }
    public static func notFound(_ message: String) -> IMError { IMError(.notFound, message) }
    public static let unauthorized = IMError(.unauthorized, "missing, invalid or expired session token")
    public static let internalFailure = IMError(.internal, "the server failed; nothing was changed")
}
