// Lesson 14: what a tus request can get wrong, with the status tus gives it.

import Hummingbird

/// A refused upload request. Nothing was changed.
public struct UploadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable code for programs, as in IMError.
    public enum Code: String, Sendable, Codable {
        case badRequest = "bad_request"
        case forbidden
        case notFound = "not_found"
        case offsetMismatch = "offset_mismatch"
        case gone
        case preconditionFailed = "unsupported_tus_version"
        case tooLarge = "too_large"
        case quotaExceeded = "quota_exceeded"
        case unsupportedMediaType = "unsupported_media_type"
        case checksumMismatch = "checksum_mismatch"
        case incomplete
        case `internal`

        /// The status tus prescribes (460 is tus's own "checksum mismatch").
        public var status: Int {
            switch self {
            case .badRequest, .incomplete: 400
            case .forbidden: 403
            case .notFound: 404
            case .offsetMismatch: 409
            case .gone: 410
            case .preconditionFailed: 412
            case .tooLarge, .quotaExceeded: 413
            case .unsupportedMediaType: 415
            case .checksumMismatch: 460
            case .internal: 500
            }
        }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var status: Int { code.status }
    public var description: String { "\(code.rawValue) (\(status)): \(message)" }

    /// Unknown, foreign and removed ids all get this one answer, so an id reveals nothing.
    public static let notFound = UploadError(.notFound, "no such upload")
}
