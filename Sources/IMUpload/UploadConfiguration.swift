// LESSON 14 STARTER, generated from Solutions/IMUpload/UploadConfiguration.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 14: the knobs of resumable uploads. Every default runs as is.

/// How the upload service behaves.
public struct UploadConfiguration: Sendable {
    /// Where uploads live; nil means `<data folder>/uploads` (set by the composition).
    public var directory: String?
    /// The largest `Upload-Length` accepted (announced as `Tus-Max-Size`): 512 MiB.
    public var maxSize: Int64 = 512 * 1024 * 1024
    /// Bytes a user may hold in uploads, finished or not (declared lengths): 2 GiB.
    public var quotaPerUser: Int64 = 2 * 1024 * 1024 * 1024
    /// How long an unfinished upload is kept after its creation or its last PATCH: 24 h.
    public var expiry: Duration = .seconds(24 * 3600)
    /// How often the sweeper looks for expired uploads: every 5 minutes.
    public var sweepInterval: Duration = .seconds(300)

    public init() {}
}
