// LESSON 14 STARTER, generated from Solutions/IMUpload/UploadStorage.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 14: where the bytes go — the storage seam.
//
// Unfinished uploads are byte files that grow by appending; finished content is stored once
// under its SHA-256 (content-addressed): two users sending the same photo store it once, and
// instant upload is a look-up by hash. The routes speak only this protocol, so an object store
// (S3 multipart upload plays the part of the partial files) can replace the folder.

/// The bytes of uploads: growing partial files and immutable objects named by their SHA-256.
public protocol UploadStorage: Sendable {
    /// Creates an empty partial file for `id`.
    func createPartial(_ id: String) throws
    /// Appends bytes to a partial file; the writer is finished by `close()`.
    func appender(_ id: String, at offset: Int64) throws -> any PartialAppender
    /// Cuts a partial file back to `length` bytes (a discarded chunk).
    func truncatePartial(_ id: String, to length: Int64) throws
    /// Removes a partial file (no error when there is none).
    func removePartial(_ id: String)
    /// Writes the partials `parts` one after another into a new partial `id`.
    func concatenatePartials(_ parts: [String], into id: String) throws
    /// SHA-256 (hex) of a partial file's content.
    func digestOfPartial(_ id: String) throws -> String
    /// Moves a finished partial into the object store under `sha256`; when the object already
    /// exists, the partial is dropped instead (the content is stored once).
    func promote(_ id: String, sha256: String) throws
    /// The size of the stored object, or nil when there is none.
    func objectSize(_ sha256: String) -> Int64?
    /// The stored object's bytes.
    func readObject(_ sha256: String) throws -> [UInt8]
    /// Removes an object no upload refers to any more.
    func removeObject(_ sha256: String)
}

/// A write into one partial file.
public protocol PartialAppender {
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws
    func close() throws
}
