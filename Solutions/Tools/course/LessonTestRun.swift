import ArgumentParser
import CourseKit
import Foundation

/// One run of a lesson's tests, or of one exercise's tests, read and recorded in `.course/state.json`.
/// `course test` and `course watch` share it.
struct LessonTestRun {
    let workspace: CourseWorkspace
    let lesson: Lesson
    /// The canonical exercise id (`04.1`), or nil for all the lesson's tests.
    let exercise: String?

    struct Outcome {
        let result: ProcessResult
        let summary: TestRunSummary
        /// The exercises the run covered.
        let scope: [String]
        let fromSources: Bool
        /// Other exercises of the lesson named in the failures (a test of one exercise may need another).
        let otherExercisesNamed: [String]
    }

    /// The `swift test` arguments: the whole test target, or the suites and tests whose names
    /// carry the exercise id.
    func arguments() throws -> [String] {
        guard let exercise else { return ProcessRunner.swift("test", ["--filter", lesson.testTarget]) }
        let filters = try workspace.exerciseTests(lesson).filters(for: exercise)
        guard !filters.isEmpty else { throw CourseError.noTestsForExercise(id: exercise, testTarget: lesson.testTarget) }
        return ProcessRunner.swift("test", filters.flatMap { ["--filter", $0] })
    }

    func run(echo: Bool, announce: (String) -> Void) throws -> Outcome {
        let fromSources = try workspace.startedLessons().contains(lesson.number)
        let arguments = try arguments()
        announce("$ " + arguments.map(Self.shellQuoted).joined(separator: " "))
        let result: ProcessResult
        do {
            result = try ProcessRunner(echo: echo).run(arguments, in: workspace.root)
        } catch CourseError.interrupted(_, let signal) {
            // Ctrl-C: the tests were stopped as well; nothing is recorded.
            say("\nStopped.")
            throw ExitCode(128 + signal)
        }
        let lessonExercises = (try? workspace.reference(lesson).exerciseIDs) ?? []
        let scope = exercise.map { [$0] } ?? lessonExercises
        let summary = TestRunSummary(exitCode: result.exitCode, output: result.output, exercises: scope)

        var state = workspace.loadState()
        let now = Date()
        if exercise == nil {
            state.record(
                .init(
                    passed: result.succeeded, exitCode: result.exitCode, finishedAt: now, seconds: result.seconds,
                    fromSources: fromSources, exercisesInFailures: summary.outcomes.failed),
                for: lesson.number)
        }
        // Results on the reference say nothing about the learner's code.
        if fromSources { state.record(summary.outcomes, at: now) }
        try workspace.save(state)
        let others =
            result.succeeded
            ? [] : FailureScan.exercisesNamed(lessonExercises.filter { !scope.contains($0) }, in: result.output)
        return Outcome(
            result: result, summary: summary, scope: scope, fromSources: fromSources, otherExercisesNamed: others)
    }

    /// Quotes an argument for showing as a command line that can be pasted into a shell.
    static func shellQuoted(_ argument: String) -> String {
        let plain = argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:".contains($0) }
        return plain ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
