import ArgumentParser
import CourseKit
import Foundation

struct TestMapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-map",
        abstract: "Show which suites and tests check each exercise (for lesson authors), and what is missing.",
        discussion: """
            A suite or test checks exercise NN.K when its display name starts with the id: \
            @Suite("04.1 Push window ...") or @Test("04.2 ..."). `course test N NN.K` runs exactly those. \
            Exits non-zero when an exercise has no test, or a test names an id that is not an exercise.
            """)

    @Argument(help: "Only this lesson (default: every available lesson).")
    var lesson: Int?

    func run() throws {
        let workspace = try CourseWorkspace.current()
        let lessons = try lesson.map { [try workspace.availableLesson($0)] } ?? workspace.catalog.available
        var problemCount = 0
        for lesson in lessons {
            let map = try workspace.exerciseTests(lesson)
            let exercises = try workspace.reference(lesson).exerciseIDs.sorted(by: NextStep.isBefore)
            say("Lesson \(lesson.code) (\(lesson.testTarget))")
            for id in exercises {
                let tests = map.tests(for: id)
                say("  \(id): " + (tests.isEmpty ? "NO TESTS" : "\(tests.count) \(tests.count == 1 ? "entry" : "entries")"))
                for test in tests {
                    say("    \(test.kind.rawValue) \(test.name)  \"\(test.displayName)\"  (\(test.location))")
                    say("      --filter '\(test.filter(testTarget: lesson.testTarget))'")
                }
            }
            let problems = map.problems(exercises: exercises)
            problems.forEach { say("  problem: " + $0) }
            problemCount += problems.count
        }
        if problemCount > 0 {
            say()
            say("\(problemCount) problem(s).")
            throw ExitCode.failure
        }
    }
}
