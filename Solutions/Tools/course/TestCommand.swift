import ArgumentParser
import CourseKit
import Foundation

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run lesson N's tests (or one exercise's) and say which exercises fail.",
        discussion: """
            `course test 4` runs Lesson04Tests; `course test 4 04.1` (or `4 1`) runs only the suites and tests \
            whose names start with 04.1. Results on your own code (a started lesson) are recorded in \
            .course/state.json: `course status` and `course next` read them, and a lesson is done when all \
            its tests pass on your code.
            """)

    @Argument(help: "The lesson number.")
    var lesson: Int?

    @Argument(help: "Only this exercise's tests, e.g. 04.1 (or just 1).")
    var exercise: String?

    @Flag(help: "Run the tests of every lesson, not only lesson N.")
    var all = false

    func validate() throws {
        if lesson == nil && !all { throw ValidationError("give a lesson number, or --all") }
        if all && (lesson != nil || exercise != nil) { throw ValidationError("--all takes no lesson or exercise") }
    }

    func run() throws {
        let workspace = try CourseWorkspace.current()
        guard let number = lesson else { return try runAll(workspace) }
        let lesson = try workspace.availableLesson(number)
        let exercise = try self.exercise.map { text in
            let id = ExerciseID.normalize(text, lesson: lesson.number)
            let known = try workspace.reference(lesson).exerciseIDs
            guard known.contains(id) else { throw CourseError.unknownExercise(id: id, lesson: lesson.number, known: known) }
            return id
        }
        if !(try workspace.startedLessons().contains(lesson.number)) {
            say(
                "Note: lesson \(lesson.number) is not started, so this tests the reference in Solutions/\(lesson.module) "
                    + "(swift run course start \(lesson.number) to work on your own copy).")
        }
        let outcome = try LessonTestRun(workspace: workspace, lesson: lesson, exercise: exercise).run(
            echo: true, announce: { say($0) })
        say()
        let scope = exercise.map { "Exercise \($0)" } ?? "Lesson \(lesson.number)"
        let time = String(format: "%.0fs", outcome.result.seconds)
        let summary = outcome.summary
        switch summary.verdict {
        case .passed:
            say("\(scope): all tests passed (\(time)).")
            if exercise == nil && outcome.fromSources {
                say("Lesson \(lesson.number) is done. Next: swift run course next")
            } else if exercise != nil && outcome.fromSources {
                say("Next: swift run course next")
            }
            return
        case .didNotFinish:
            say("\(scope): the tests did not run to the end (exit code \(outcome.result.exitCode), \(time)).")
            say("Read the first error above: most often your code does not compile.")
            CompileErrorAdvice.lines(for: summary, testing: lesson, workspace: workspace).forEach { say($0) }
        case .failed:
            say("\(scope): tests failed (exit code \(outcome.result.exitCode), \(time)).")
        }
        let failed = summary.outcomes.failed
        if failed.isEmpty {
            if summary.verdict == .failed {
                say("No exercise id appears in the failures: read the first failure above.")
            }
        } else {
            say("Exercises named in failures (left to do): \(failed.joined(separator: ", "))")
            if !summary.outcomes.passed.isEmpty {
                say("Their tests passed: \(summary.outcomes.passed.joined(separator: ", "))")
            }
            if !outcome.otherExercisesNamed.isEmpty {
                say(
                    "The failures also name \(outcome.otherExercisesNamed.joined(separator: ", ")): "
                        + "a test of \(failed.joined(separator: ", ")) needs it too.")
            }
            say(
                "Hints: swift run course hint \(lesson.number) \(failed[0])   Compare: swift run course diff \(lesson.number) \(failed[0])"
            )
        }
        throw ExitCode(outcome.result.exitCode)
    }

    /// Every lesson's tests at once: nothing is recorded, because one failing lesson hides which
    /// of the others passed.
    private func runAll(_ workspace: CourseWorkspace) throws {
        let arguments = ProcessRunner.swift("test", [])
        say("$ " + arguments.joined(separator: " "))
        let result = try ProcessRunner().run(arguments, in: workspace.root)
        let ids = workspace.catalog.available.flatMap { (try? workspace.reference($0).exerciseIDs) ?? [] }
        let summary = TestRunSummary(exitCode: result.exitCode, output: result.output, exercises: ids)
        say()
        let time = String(format: "%.0fs", result.seconds)
        if summary.verdict == .passed {
            say("All lessons: all tests passed (\(time)).")
            return
        }
        say("All lessons: tests failed (exit code \(result.exitCode), \(time)).")
        if !summary.outcomes.failed.isEmpty {
            say("Exercises named in failures: \(summary.outcomes.failed.joined(separator: ", "))")
        }
        throw ExitCode(result.exitCode)
    }
}
