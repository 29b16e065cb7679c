import Foundation
import Testing

@testable import CourseKit

@Suite struct StarterGeneratorTests {
    let todo = "// TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 02"

    @Test func replacesEveryBlockByTodoAndStubAndAddsTheHeader() throws {
        let folder = try TemporaryFolder()
        let files = StarterGenerator.files(for: try Fixture.module(in: folder))
        let store = String(decoding: try #require(files["Store.swift"]), as: UTF8.self)
        let expected = """
            // LESSON 02 STARTER, generated from Solutions/IMStore/Store.swift by `swift run course generate`.
            // Work in the EXERCISE blocks below; the rest of the file is given.

            import CourseSupport

            struct Store {
                mutating func append(_ message: Int) throws -> Int {
                    // BEGIN EXERCISE 02.1: Store the message once and index it.
                    \(todo)
                    throw Exercise.notImplemented("02.1", expected: "the message stored once")
                    // END EXERCISE 02.1
                }

                func recent() -> [Int] {
                    // BEGIN EXERCISE 02.2: Return the recent messages.
                    \(todo)
                    Exercise.report("02.2")
                    return []
                    // END EXERCISE 02.2
                }
            }

            """
        #expect(store == expected)
    }

    @Test func fileWithoutExercisesGetsTheGivenHeader() throws {
        let folder = try TemporaryFolder()
        let files = StarterGenerator.files(for: try Fixture.module(in: folder))
        let helper = String(decoding: try #require(files["Support/Helper.swift"]), as: UTF8.self)
        #expect(
            helper == """
                // LESSON 02 STARTER, generated from Solutions/IMStore/Support/Helper.swift by `swift run course generate`.
                // This file has no exercises: it is given as it is.

                struct Helper {}

                """)
    }

    @Test func copiesOtherFilesByteForByteAndMirrorsFolders() throws {
        let folder = try TemporaryFolder()
        let files = StarterGenerator.files(for: try Fixture.module(in: folder))
        #expect(files.keys.sorted() == ["Resources/schema.sql", "Store.swift", "Support/Helper.swift"])
        #expect(files["Resources/schema.sql"] == Data("CREATE TABLE m (id INTEGER);\n\u{00}binary".utf8))

        let destination = folder.url.appendingPathComponent("Sources/IMStore")
        try FileTree.sync(files, to: destination)
        #expect(try FileTree.read(destination) == files)
    }

    @Test func onlyOneExerciseStubbedKeepsTheOthersReference() throws {
        let folder = try TemporaryFolder()
        let module = try Fixture.module(in: folder)
        let files = StarterGenerator.files(for: module, mode: .only("02.2"))
        let store = String(decoding: try #require(files["Store.swift"]), as: UTF8.self)
        #expect(
            store.contains(
                """
                        // BEGIN EXERCISE 02.1: Store the message once and index it.
                        messages.append(message)
                        return message
                        // END EXERCISE 02.1
                """))
        #expect(
            store.contains("        \(todo)\n        Exercise.report(\"02.2\")\n        return []\n        // END EXERCISE 02.2"))
        #expect(!store.contains("STUB"))
        #expect(!store.contains("Array(messages.suffix(10))"))
    }

    @Test func switchableBlocksHoldStubAndReferenceChosenAtRunTime() throws {
        let folder = try TemporaryFolder()
        let files = StarterGenerator.files(for: try Fixture.module(in: folder), mode: .switchable)
        let store = String(decoding: try #require(files["Store.swift"]), as: UTF8.self)
        #expect(
            store.contains(
                """
                        // BEGIN EXERCISE 02.1: Store the message once and index it.
                        if Exercise.isStubbed("02.1") {
                            throw Exercise.notImplemented("02.1", expected: "the message stored once")
                        } else {
                            messages.append(message)
                            return message
                        }
                        // END EXERCISE 02.1
                """))
        #expect(store.contains("    if Exercise.isStubbed(\"02.2\") {\n            Exercise.report(\"02.2\")\n"))
        #expect(!store.contains("STUB") && !store.contains("TODO"))
    }

    @Test func generationIsDeterministic() throws {
        let first = try TemporaryFolder()
        let second = try TemporaryFolder()
        let a = StarterGenerator.files(for: try Fixture.module(in: first))
        let b = StarterGenerator.files(for: try Fixture.module(in: second))
        #expect(a == b)
        #expect(StarterGenerator.files(for: try Fixture.module(in: first)) == a)
    }

    @Test func syncRemovesStaleFilesAndLeavesUnchangedOnesAlone() throws {
        let folder = try TemporaryFolder()
        let files = StarterGenerator.files(for: try Fixture.module(in: folder))
        let destination = folder.url.appendingPathComponent("Sources/IMStore")
        try folder.write("Sources/IMStore/Old/Stale.swift", "old")
        try FileTree.sync(files, to: destination)
        let helper = destination.appendingPathComponent("Support/Helper.swift")
        let date = try FileManager.default.attributesOfItem(atPath: helper.path)[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 0.05)
        try FileTree.sync(files, to: destination)
        #expect(try FileTree.list(destination) == ["Resources/schema.sql", "Store.swift", "Support/Helper.swift"])
        #expect(!FileManager.default.fileExists(atPath: destination.appendingPathComponent("Old").path))
        #expect(try FileManager.default.attributesOfItem(atPath: helper.path)[.modificationDate] as? Date == date)
    }
}
