import ArgumentParser
import CourseKit
import Foundation

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run lesson N's tests (swift test --filter LessonNNTests) and say which exercises fail.")

    @Argument(help: "The lesson number.")
    var lesson: Int?

    @Flag(help: "Run the tests of every lesson, not only lesson N.")
    var all = false

    func validate() throws {
        if lesson == nil && !all { throw ValidationError("give a lesson number, or --all") }
    }

    func run() throws {
        let workspace = try CourseWorkspace.current()
        let lesson = try self.lesson.map(workspace.availableLesson)
        let started = try workspace.startedLessons()
        if let lesson, !started.contains(lesson.number) {
            say(
                "Note: lesson \(lesson.number) is not started, so this tests the reference in Solutions/\(lesson.module) "
                    + "(swift run course start \(lesson.number) to work on your own copy).")
        }
        let filter = all ? [] : lesson.map { ["--filter", $0.testTarget] } ?? []
        let arguments = ProcessRunner.swift("test", filter)
        say("$ " + arguments.joined(separator: " "))
        let result = try ProcessRunner().run(arguments, in: workspace.root)

        let lessons = all ? workspace.catalog.available : lesson.map { [$0] } ?? []
        let ids = lessons.flatMap { (try? workspace.reference($0).exerciseIDs) ?? [] }
        let named = result.succeeded ? [] : FailureScan.exercisesNamed(ids, in: result.output)
        if let lesson {
            var state = CourseState.load(from: workspace.stateFile)
            state.record(
                .init(
                    passed: result.succeeded, exitCode: result.exitCode, finishedAt: Date(), seconds: result.seconds,
                    fromSources: started.contains(lesson.number), exercisesInFailures: named),
                for: lesson.number)
            try state.save(to: workspace.stateFile)
        }

        say()
        let scope = all ? "All lessons" : "Lesson \(lesson!.number)"
        let time = String(format: "%.0fs", result.seconds)
        if result.succeeded {
            say("\(scope): all tests passed (\(time)).")
            return
        }
        say("\(scope): tests failed (exit code \(result.exitCode), \(time)).")
        if named.isEmpty {
            say("No exercise id appears in the failures: read the first error above (does it build?).")
        } else {
            let done = ids.filter { !named.contains($0) }
            say("Exercises named in failures (left to do): \(named.joined(separator: ", "))")
            if !done.isEmpty { say("Not named in any failure: \(done.joined(separator: ", "))") }
            if let lesson {
                say(
                    "Hints: swift run course hint \(lesson.number) \(named[0])   Compare: swift run course diff \(lesson.number) \(named[0])"
                )
            }
        }
        throw ExitCode(result.exitCode)
    }
}
