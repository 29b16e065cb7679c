import Foundation
import Testing

@testable import CourseKit

@Suite("course watch: what changed between two looks at a folder")
struct FileSnapshotTests {
    static func touch(_ folder: TemporaryFolder, _ path: String, secondsAgo: TimeInterval) throws {
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-secondsAgo)],
            ofItemAtPath: folder.url.appendingPathComponent(path).path)
    }

    @Test("nothing changed, then a file saved, added, removed; hidden files do not count")
    func changes() throws {
        let folder = try TemporaryFolder()
        try folder.write("A.swift", "a")
        try folder.write("Sub/B.swift", "b")
        try Self.touch(folder, "A.swift", secondsAgo: 60)
        let first = FileSnapshot.take(of: folder.url)
        #expect(first.stamps.keys.sorted() == ["A.swift", "Sub/B.swift"])
        #expect(FileSnapshot.take(of: folder.url).changes(since: first).isEmpty)

        try folder.write("A.swift", "a")  // same size: only the time tells
        try folder.write(".A.swift.swp", "editor")
        #expect(FileSnapshot.take(of: folder.url).changes(since: first) == ["A.swift"])

        try folder.write("Sub/C.swift", "c")
        try FileManager.default.removeItem(at: folder.url.appendingPathComponent("Sub/B.swift"))
        #expect(FileSnapshot.take(of: folder.url).changes(since: first) == ["A.swift", "Sub/B.swift", "Sub/C.swift"])
    }

    @Test("a missing folder is empty, and its appearance is a change")
    func missingFolder() throws {
        let folder = try TemporaryFolder()
        let missing = folder.url.appendingPathComponent("Sources/IMStore")
        let empty = FileSnapshot.take(of: missing)
        #expect(empty.stamps.isEmpty)
        try folder.write("Sources/IMStore/Store.swift", "x")
        #expect(FileSnapshot.take(of: missing).changes(since: empty) == ["Store.swift"])
    }
}
