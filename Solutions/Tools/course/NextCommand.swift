import ArgumentParser
import CourseKit
import Foundation

struct NextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "next",
        abstract: "Say what to do next: the first exercise not yet passed, in the first lesson not done.",
        discussion: """
            It reads the results `course test` recorded for your own code (.course/state.json). Lessons are \
            proposed in order; to work on another one, `course start N` it.
            """)

    func run() throws {
        let workspace = try CourseWorkspace.current()
        let started = try workspace.startedLessons()
        var exercises: [Int: [NextStep.ExerciseSummary]] = [:]
        for lesson in workspace.catalog.available {
            let blocks = (try? workspace.reference(lesson).exercises) ?? []
            exercises[lesson.number] = blocks.map { block in
                NextStep.ExerciseSummary(
                    id: block.id, task: block.task, file: Self.learnerFile(block.location.file, module: lesson.module))
            }
        }
        let state = workspace.loadState()
        let step = NextStep.find(lessons: workspace.catalog.available, exercises: exercises, started: started, state: state)
        switch step {
        case .allDone:
            say("Every written lesson is done: all their tests pass on your code. Well done!")
            say("swift run course status shows them; lessons marked planned are still to be written.")
        case .exercise(let lesson, let exercise, let isStarted):
            say("Next: lesson \(lesson.code) \(lesson.title), exercise \(exercise.id)")
            say("  \(exercise.task)")
            say()
            say("  Read   Lessons/\(lesson.slug)/README.md (exercise \(exercise.id))")
            if !isStarted { say("  Start  swift run course start \(lesson.number)") }
            say("  Edit   the EXERCISE \(exercise.id) block in \(exercise.file)")
            say("  Test   swift run course test \(lesson.number) \(exercise.id)   (or: swift run course watch \(lesson.number))")
            say("  Stuck? swift run course hint \(lesson.number) \(exercise.id)")
        case .finishLesson(let lesson, let isStarted):
            say("Next: lesson \(lesson.code) \(lesson.title): every exercise has passed its tests; the lesson is done")
            say("when all its tests pass in one run on your code.")
            say()
            if !isStarted { say("  Start  swift run course start \(lesson.number)") }
            say("  Test   swift run course test \(lesson.number)")
        }
        // Lessons are proposed in order; one the learner has already started deserves a word too.
        let startedLessons = workspace.catalog.available.filter { started.contains($0.number) }
        let inProgress = NextStep.find(lessons: startedLessons, exercises: exercises, started: started, state: state)
        if inProgress != step, case .exercise(let lesson, let exercise, _) = inProgress {
            say()
            say(
                "You have also started lesson \(lesson.code): its next exercise is \(exercise.id) "
                    + "(swift run course test \(lesson.number) \(exercise.id)).")
        } else if inProgress != step, case .finishLesson(let lesson, _) = inProgress {
            say()
            say("You have also started lesson \(lesson.code): run all its tests (swift run course test \(lesson.number)).")
        }
    }

    /// `Solutions/IMDelivery/PushWindow.swift` → `Sources/IMDelivery/PushWindow.swift`.
    static func learnerFile(_ referenceFile: String, module: String) -> String {
        let prefix = "Solutions/\(module)/"
        return referenceFile.hasPrefix(prefix) ? "Sources/\(module)/" + referenceFile.dropFirst(prefix.count) : referenceFile
    }
}
