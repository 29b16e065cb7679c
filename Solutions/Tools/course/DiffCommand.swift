import ArgumentParser
import CourseKit
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare your exercise blocks in Sources/ with the reference in Solutions/ (unified diff).",
        discussion: """
            This shows the reference solution. On a terminal it asks first (--yes skips the question); \
            piped or redirected, it prints a warning line and goes on. Added and removed lines are coloured \
            on a terminal unless NO_COLOR is set.
            """)

    @Argument(help: "The lesson number.")
    var lesson: Int

    @Argument(help: "Only this exercise, e.g. 02.1 (or just 1).")
    var exercise: String?

    @Flag(name: .shortAndLong, help: "Do not ask before showing the reference.")
    var yes = false

    func run() throws {
        let workspace = try CourseWorkspace.current()
        let lesson = try workspace.availableLesson(self.lesson)
        if !(try workspace.startedLessons().contains(lesson.number)) {
            say("Note: lesson \(lesson.number) is not started; comparing its starter in Sources/\(lesson.module) anyway.\n")
        }
        let comparison = try workspace.compare(lesson)
        var blocks = comparison.blocks
        if let exercise {
            let id = ExerciseID.normalize(exercise, lesson: lesson.number)
            blocks = blocks.filter { $0.exercise.id == id }
            if blocks.isEmpty {
                throw CourseError.unknownExercise(id: id, lesson: lesson.number, known: comparison.blocks.map(\.exercise.id))
            }
        }
        let scope = exercise == nil ? "lesson \(lesson.number)" : "exercise \(blocks[0].exercise.id)"
        say("Warning: this shows the reference solution of \(scope) (Solutions/\(lesson.module)) next to your code.")
        if !yes && isatty(STDIN_FILENO) != 0 {
            FileHandle.standardOutput.write(Data("Show it? [y/N] ".utf8))
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                say("Not shown. (swift run course hint \(lesson.number) gives hints one step at a time.)")
                return
            }
        }
        say()
        let colored = DiffColoring.isWanted(
            outputIsTerminal: isatty(STDOUT_FILENO) != 0, environment: ProcessInfo.processInfo.environment)
        let show: (String) -> String = { colored ? DiffColoring.colorize($0) : $0 }
        for block in blocks {
            say("== \(block.exercise.id): \(block.exercise.task)")
            switch block.state {
            case .fileMissing:
                say("   \(block.learnerFile) is missing (swift run course reset \(lesson.number) restores it).")
            case .markersMissing:
                say(
                    "   \(block.learnerFile) has no `// BEGIN EXERCISE \(block.exercise.id)` ... `// END EXERCISE \(block.exercise.id)` "
                        + "lines; put them back around your code to compare it.")
            case .untouched:
                say("   still the stub in \(block.learnerFile): nothing written yet.")
            case .sameAsReference:
                say("   same as the reference.")
            case .changed(let diff):
                say(show(diff))
            }
            say()
        }
        // Outside the blocks only matters for the whole lesson; one exercise's diff stays focused.
        guard exercise == nil, !comparison.outside.isEmpty else { return }
        say("== Outside the exercise blocks (the given code; changes here are yours to keep or drop):")
        for change in comparison.outside {
            switch change.kind {
            case .missing: say("   missing: \(change.file)")
            case .extra: say("   added:   \(change.file)")
            case .changed(let diff):
                say("   changed: \(change.file)")
                if let diff { say(show(diff)) }
            }
        }
    }
}
