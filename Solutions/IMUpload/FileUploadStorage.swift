// Lesson 14: the storage seam on a local folder (the default, under the data folder).
//
//   <root>/partial/<id>                 unfinished uploads (and finished concatenation parts)
//   <root>/objects/<ab>/<sha256 hex>    finished content, one file per distinct content
//
// The two-character fan-out keeps any one directory small.

import Crypto
import Foundation

/// Uploads in a folder of the local file system.
public struct FileUploadStorage: UploadStorage {
    public let root: URL

    public init(root: String) throws {
        self.root = URL(fileURLWithPath: root, isDirectory: true)
        for folder in ["partial", "objects"] {
            try FileManager.default.createDirectory(
                at: self.root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
    }

    func partialURL(_ id: String) -> URL { root.appendingPathComponent("partial/\(id)") }

    func objectURL(_ sha256: String) -> URL {
        root.appendingPathComponent("objects/\(sha256.prefix(2))/\(sha256)")
    }

    public func createPartial(_ id: String) throws {
        guard FileManager.default.createFile(atPath: partialURL(id).path, contents: nil) else {
            throw UploadError(.internal, "cannot create the upload's file")
        }
    }

    public func appender(_ id: String, at offset: Int64) throws -> any PartialAppender {
        let handle = try FileHandle(forWritingTo: partialURL(id))
        try handle.seek(toOffset: UInt64(offset))
        return FileAppender(handle: handle)
    }

    public func truncatePartial(_ id: String, to length: Int64) throws {
        let handle = try FileHandle(forWritingTo: partialURL(id))
        defer { try? handle.close() }
        try handle.truncate(atOffset: UInt64(length))
    }

    public func removePartial(_ id: String) {
        try? FileManager.default.removeItem(at: partialURL(id))
    }

    public func concatenatePartials(_ parts: [String], into id: String) throws {
        try createPartial(id)
        let output = try FileHandle(forWritingTo: partialURL(id))
        defer { try? output.close() }
        for part in parts {
            let input = try FileHandle(forReadingFrom: partialURL(part))
            defer { try? input.close() }
            while let block = try input.read(upToCount: 1 << 20), !block.isEmpty { try output.write(contentsOf: block) }
        }
    }

    public func digestOfPartial(_ id: String) throws -> String {
        let input = try FileHandle(forReadingFrom: partialURL(id))
        defer { try? input.close() }
        var hasher = SHA256()
        while let block = try input.read(upToCount: 1 << 20), !block.isEmpty { hasher.update(data: block) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    public func promote(_ id: String, sha256: String) throws {
        let target = objectURL(sha256)
        if FileManager.default.fileExists(atPath: target.path) {
            removePartial(id)
            return
        }
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: partialURL(id), to: target)
    }

    public func objectSize(_ sha256: String) -> Int64? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: objectURL(sha256).path) else { return nil }
        return (attributes[.size] as? NSNumber)?.int64Value
    }

    public func readObject(_ sha256: String) throws -> [UInt8] {
        Array(try Data(contentsOf: objectURL(sha256)))
    }

    public func removeObject(_ sha256: String) {
        try? FileManager.default.removeItem(at: objectURL(sha256))
    }
}

/// Appends through a file handle.
struct FileAppender: PartialAppender {
    let handle: FileHandle

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        try handle.write(contentsOf: Data(bytes))
    }

    func close() throws { try handle.close() }
}
