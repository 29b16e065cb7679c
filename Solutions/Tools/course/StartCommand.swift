import ArgumentParser
import CourseKit
import Foundation

struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Start lesson N: it builds from your copy in Sources/ from now on.")

    @Argument(help: "The lesson number.")
    var lesson: Int

    func run() throws {
        let workspace = try CourseWorkspace.current()
        let lesson = try workspace.availableLesson(self.lesson)
        let sources = workspace.sources(lesson)
        if try FileTree.list(sources).isEmpty {
            try FileTree.sync(workspace.pristineStarter(lesson), to: sources)
            say("Generated your starter in \(workspace.relative(sources)).")
        } else {
            say("Your copy \(workspace.relative(sources)) is there; it is kept as it is.")
        }
        let change = try ManifestEditor.update(workspace.manifest) { $0.union([lesson.number]) }
        say(
            change.before.contains(lesson.number)
                ? "Lesson \(lesson.number) was already started (Package.swift: startedLessons = \(ManifestEditor.format(change.after)))."
                : "Package.swift: startedLessons = \(ManifestEditor.format(change.after)); lesson \(lesson.number) now builds from \(workspace.relative(sources))."
        )
        say()
        say("Lesson \(lesson.code): \(lesson.title)")
        say("  1. Read  Lessons/\(lesson.slug)/README.md")
        say("  2. Fill in the EXERCISE blocks in \(workspace.relative(sources))/")
        say("  3. Run   swift run course test \(lesson.number)   (or keep swift run course watch \(lesson.number) running)")
        say("  Stuck? swift run course hint \(lesson.number)   Compare: swift run course diff \(lesson.number)")
    }
}
