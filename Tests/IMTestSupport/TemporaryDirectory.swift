// Test support: a real folder on disk for a test, removed afterwards.

import Foundation

/// A fresh folder under the system's temporary directory.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "im-test") throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the folder.
    public func file(_ name: String) -> String { path + "/" + name }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs `body` with a temporary folder and removes it afterwards, whatever happens.
public func withTemporaryDirectory<T>(_ body: (TemporaryDirectory) async throws -> T) async throws -> T {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    return try await body(directory)
}

/// A username no other test uses.
public func uniqueUsername(_ prefix: String = "u") -> String {
    "\(prefix)\(UUID().uuidString.prefix(8).lowercased())"
}
