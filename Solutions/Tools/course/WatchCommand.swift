import ArgumentParser
import CourseKit
import Foundation

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Re-run lesson N's tests whenever a file in its Sources/<Module> changes (Ctrl-C stops).",
        discussion: """
            It looks at the files' modification times once a second, runs the lesson's tests once at the \
            start and again after each change, and prints a short result: pass, or the exercises that \
            fail and the first failure lines (`course test N` shows everything). Results are recorded \
            like those of `course test`.
            """)

    @Argument(help: "The lesson number.")
    var lesson: Int

    @Option(help: "Seconds between two looks at the files.")
    var interval: Double = 1

    func validate() throws {
        if interval <= 0 { throw ValidationError("--interval must be above 0") }
    }

    func run() throws {
        let workspace = try CourseWorkspace.current()
        let lesson = try workspace.availableLesson(self.lesson)
        guard try workspace.startedLessons().contains(lesson.number) else {
            throw CourseError.lessonNotStarted(lesson: lesson.number, module: lesson.module)
        }
        let folder = workspace.sources(lesson)
        let run = LessonTestRun(workspace: workspace, lesson: lesson, exercise: nil)
        say("Watching \(workspace.relative(folder))/ (Ctrl-C stops).")
        var snapshot = FileSnapshot.take(of: folder)
        try test(run)
        while true {
            Thread.sleep(forTimeInterval: interval)
            let now = FileSnapshot.take(of: folder)
            let changed = now.changes(since: snapshot)
            guard !changed.isEmpty else { continue }
            // The snapshot is taken before the run, so that a save during the run starts another one.
            snapshot = now
            say()
            say(
                "Changed: " + changed.prefix(3).joined(separator: ", ")
                    + (changed.count > 3 ? " and \(changed.count - 3) more" : ""))
            try test(run)
        }
    }

    private func test(_ run: LessonTestRun) throws {
        let outcome = try run.run(echo: false, announce: { say($0) })
        let summary = outcome.summary
        let time = String(format: "%.0fs", outcome.result.seconds)
        let clock = DateFormatter.localizedString(from: Date(), dateStyle: .none, timeStyle: .medium)
        switch summary.verdict {
        case .passed:
            say("[\(clock)] PASS: all tests of lesson \(run.lesson.number) passed (\(time)). The lesson is done.")
        case .failed, .didNotFinish:
            let what = summary.verdict == .failed ? "tests failed" : "the tests did not run to the end (does it compile?)"
            say("[\(clock)] FAIL: \(what) (\(time)).")
            if !summary.outcomes.failed.isEmpty {
                say("  Exercises to fix: \(summary.outcomes.failed.joined(separator: ", "))")
            }
            summary.firstFailureLines.forEach { say("  " + $0) }
            CompileErrorAdvice.lines(for: summary, testing: run.lesson, workspace: run.workspace).forEach { say("  " + $0) }
            say("  (swift run course test \(run.lesson.number) shows the whole output)")
        }
        say("Waiting for changes...")
    }
}
