// LESSON 14 STARTER, generated from Solutions/IMUpload/Concatenation.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 14: tus concatenation — parts sent in parallel, then joined.
//
// One connection rarely fills a fast link (TCP's window, a slow start after every loss). A
// client that sends a file as several partial uploads over several connections at once, then
// asks for `Upload-Concat: final;<part> <part> …`, gets the sum of their throughputs. The server
// joins the parts in the order the client lists them. Checking that list is exercise 14.4.

import CourseSupport
import IMCore

/// The check of a concatenation request.
public enum Concatenation {
    /// Returns the final upload's length, the sum of its parts, after checking each part.
    ///
    /// A part that does not exist or belongs to someone else is `notFound` (the same answer for
    /// both, so nothing is revealed); one that is not a partial upload, or not finished, is a
    /// bad request; an empty list is a bad request; a sum above `maxSize` is too large.
    public static func plan(
        parts: [String], owner: UserID, records: [String: UploadRecord], maxSize: Int64
    ) throws(UploadError) -> Int64 {
        // BEGIN EXERCISE 14.4: Check every part (exists and is the owner's: else 404; partial and finished: else 400), refuse an empty list (400) or a sum over maxSize (413); return the sum.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 14
        throw UploadError(.internal, Exercise.notImplemented("14.4", expected: "404 for a missing or foreign part, 400 for an empty list or a part that is not a finished partial upload, 413 over maxSize, else the sum of the lengths").description)
        // END EXERCISE 14.4
    }
}
