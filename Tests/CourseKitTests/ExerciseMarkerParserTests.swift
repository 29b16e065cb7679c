import Foundation
import Testing

@testable import CourseKit

@Suite struct ExerciseMarkerParserTests {
    @Test func readsBlocksWithTheirReferenceAndStub() throws {
        let file = try ExerciseMarkerParser.parse(Fixture.store, path: "Solutions/IMStore/Store.swift")
        #expect(file.exercises.map(\.id) == ["02.1", "02.2"])
        let first = file.exercises[0]
        #expect(first.task == "Store the message once and index it.")
        #expect(first.indent == "        ")
        #expect(first.location == SourceLocation(file: "Solutions/IMStore/Store.swift", line: 5))
        #expect(first.endLine == 9)
        #expect(first.referenceLines == ["        messages.append(message)", "        return message"])
        #expect(first.stubCode == [#"throw Exercise.notImplemented("02.1", expected: "the message stored once")"#])
        #expect(file.exercises[1].stubCode == [#"Exercise.report("02.2")"#, "return []"])
        #expect(first.lesson == 2)
    }

    @Test func fileWithoutMarkersIsAllLines() throws {
        let file = try ExerciseMarkerParser.parse("let a = 1\n// STUBBORN comment about EXERCISE\n", path: "A.swift")
        #expect(file.exercises.isEmpty)
        #expect(file.segments == [.line("let a = 1"), .line("// STUBBORN comment about EXERCISE"), .line("")])
    }

    @Test func stubWithoutSpaceAfterColonAndEmptyStubLine() throws {
        let text = "// BEGIN EXERCISE 01.1: t\nx\n// STUB:return 1\n// STUB:\n// END EXERCISE 01.1\n"
        let block = try #require(try ExerciseMarkerParser.parse(text, path: "A.swift").exercises.first)
        #expect(block.stubCode == ["return 1", ""])
    }

    @Test(arguments: [
        // (file text, expected line, words of the message)
        ("// BEGIN EXERCISE 02.1: t\ncode\n// STUB: x\n", 1, "never closed"),
        (
            "// BEGIN EXERCISE 02.1: t\ncode\n// STUB: x\n// END EXERCISE 02.2\n", 4,
            "does not match BEGIN EXERCISE 02.1 at line 1"
        ),
        ("// BEGIN EXERCISE 02.1: t\ncode\n// END EXERCISE 02.1\n", 3, "no `// STUB: code` line"),
        ("// BEGIN EXERCISE 02.1: t\n// STUB: x\ncode\n// END EXERCISE 02.1\n", 3, "must be the last lines"),
        ("// BEGIN EXERCISE 02.1: t\n// STUB: x\n\n// END EXERCISE 02.1\n", 3, "must be the last lines"),
        ("a\n// END EXERCISE 02.1\n", 2, "without a matching BEGIN"),
        ("// STUB: x\n", 1, "outside an exercise block"),
        ("// BEGIN EXERCISE 2.1: t\n", 1, "malformed marker"),
        ("// BEGIN EXERCISE 02.1 no colon\n", 1, "malformed marker"),
        ("// BEGIN EXERCISE 02.1:\n", 1, "malformed marker"),
        ("    //END EXERCISE 02.1\n", 1, "malformed marker"),
        ("// BEGIN EXERCISE 02.1: a\n// BEGIN EXERCISE 02.2: b\n// STUB: x\n// END EXERCISE 02.2\n", 2, "cannot nest"),
    ])
    func malformedMarkersNameFileAndLine(text: String, line: Int, message: String) {
        let problems = markerProblems { _ = try ExerciseMarkerParser.parse(text, path: "Solutions/IMX/A.swift") }
        let first = problems.first
        #expect(first?.location == SourceLocation(file: "Solutions/IMX/A.swift", line: line))
        #expect(first?.message.contains(message) == true, "\(String(describing: first))")
        #expect(first?.description.hasPrefix("Solutions/IMX/A.swift:\(line): ") == true)
    }

    @Test func reportsEveryProblemOfAFileAtOnce() {
        let text = "// STUB: a\n// END EXERCISE 02.1\n// BEGIN EXERCISE 02.2: t\n"
        let problems = markerProblems { _ = try ExerciseMarkerParser.parse(text, path: "A.swift") }
        #expect(problems.map(\.location.line) == [1, 2, 3])
    }

    @Test func moduleRejectsDuplicateIdsAndIdsOfAnotherLesson() throws {
        let folder = try TemporaryFolder()
        let block = { (id: String) in "// BEGIN EXERCISE \(id): t\nx\n// STUB: y\n// END EXERCISE \(id)\n" }
        try folder.write("M/A.swift", block("02.1"))
        try folder.write("M/B.swift", "\n" + block("02.1") + block("03.1"))
        let problems = markerProblems {
            _ = try ReferenceModule.load(
                lesson: Fixture.lesson, from: folder.url.appendingPathComponent("M"), displayPath: "Solutions/M")
        }
        #expect(problems.count == 2)
        #expect(
            problems.contains {
                $0.location == SourceLocation(file: "Solutions/M/B.swift", line: 2)
                    && $0.message.contains("already used at Solutions/M/A.swift:1")
            })
        #expect(
            problems.contains {
                $0.location == SourceLocation(file: "Solutions/M/B.swift", line: 6) && $0.message.contains("must start with 02.")
            })
    }

    @Test func moduleCollectsProblemsOfAllFiles() throws {
        let folder = try TemporaryFolder()
        try folder.write("M/A.swift", "// STUB: x\n")
        try folder.write("M/B.swift", "// END EXERCISE 02.1\n")
        let problems = markerProblems {
            _ = try ReferenceModule.load(
                lesson: Fixture.lesson, from: folder.url.appendingPathComponent("M"), displayPath: "Solutions/M")
        }
        #expect(problems.map(\.location.description) == ["Solutions/M/A.swift:1", "Solutions/M/B.swift:1"])
    }

    @Test func looksLikeMarkerCatchesSloppyMarkers() {
        #expect(ExerciseMarkerParser.looksLikeMarker("  //BEGIN EXERCISE 1"))
        #expect(ExerciseMarkerParser.looksLikeMarker("// STUB: x"))
        #expect(!ExerciseMarkerParser.looksLikeMarker("let s = \"// BEGIN EXERCISE 02.1: x\""))
        #expect(
            !ExerciseMarkerParser.looksLikeMarker(
                "// In `Solutions/` every exercise is written out between `// BEGIN EXERCISE NN.K: task` and"))
    }
}
