// LESSON 14 STARTER, generated from Solutions/IMUpload/UploadSweeper.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 14: the clean-up of uploads that were started and never finished.
//
// A phone that loses interest in an upload (the user deleted the draft, the app was removed)
// never says so. Its partial bytes would stay forever. Every unfinished upload has an expiry
// (`Upload-Expires`, moved forward by each PATCH that stores bytes); this service removes the
// expired ones every `sweepInterval`. Finished uploads never expire: messages refer to them.

import Foundation
import Logging
import ServiceLifecycle

/// Removes expired unfinished uploads, periodically, until graceful shutdown.
public struct UploadSweeper: Service {
    let uploads: ResumableUploads
    let logger: Logger

    public func run() async throws {
        // Ends at once when a shutdown begins or on cancellation; a sweep cut short loses nothing.
        try? await cancelWhenGracefulShutdown {
            while true {
                let removed = await uploads.sweep(now: Date())
                if removed > 0 { logger.info("removed \(removed) expired upload(s)") }
                try await Task.sleep(for: uploads.configuration.sweepInterval)
            }
        }
    }
}
