import Foundation
import Testing

@testable import CourseKit

/// A temporary folder with real files, removed when the test is done.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("CourseKitTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    @discardableResult
    func write(_ path: String, _ text: String) throws -> URL {
        let file = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file
    }

    func read(_ path: String) throws -> String {
        try String(contentsOf: url.appendingPathComponent(path), encoding: .utf8)
    }
}

enum Fixture {
    static let lesson = Lesson(
        number: 2, slug: "02-send-receive", title: "Send/receive", chapter: "消息收发架构", module: "IMStore",
        status: .available)

    /// A reference file with two exercises, the second with a two-line stub.
    static let store = """
        import CourseSupport

        struct Store {
            mutating func append(_ message: Int) throws -> Int {
                // BEGIN EXERCISE 02.1: Store the message once and index it.
                messages.append(message)
                return message
                // STUB: throw Exercise.notImplemented("02.1", expected: "the message stored once")
                // END EXERCISE 02.1
            }

            func recent() -> [Int] {
                // BEGIN EXERCISE 02.2: Return the recent messages.
                Array(messages.suffix(10))
                // STUB: Exercise.report("02.2")
                // STUB: return []
                // END EXERCISE 02.2
            }
        }

        """

    static let helper = "struct Helper {}\n"

    /// A Solutions/IMStore module with a Swift file with exercises, one without, and a resource.
    static func module(in folder: TemporaryFolder) throws -> ReferenceModule {
        try folder.write("Solutions/IMStore/Store.swift", store)
        try folder.write("Solutions/IMStore/Support/Helper.swift", helper)
        try folder.write("Solutions/IMStore/Resources/schema.sql", "CREATE TABLE m (id INTEGER);\n\u{00}binary")
        return try ReferenceModule.load(
            lesson: lesson, from: folder.url.appendingPathComponent("Solutions/IMStore"),
            displayPath: "Solutions/IMStore")
    }
}

/// The marker problems a parse reports (none when it succeeds).
func markerProblems(_ body: () throws -> Void) -> [MarkerProblem] {
    do {
        try body()
        return []
    } catch CourseError.malformedMarkers(let problems) {
        return problems
    } catch {
        Issue.record("unexpected error \(error)")
        return []
    }
}
