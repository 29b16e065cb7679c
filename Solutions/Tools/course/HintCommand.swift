import ArgumentParser
import CourseKit
import Foundation

struct HintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hint",
        abstract: "Show hints for lesson N (from Lessons/<lesson>/HINTS.md), one step at a time.")

    @Argument(help: "The lesson number.")
    var lesson: Int

    @Argument(help: "An exercise id such as 02.1 (or just 1). Without it: the first hint of each exercise.")
    var exercise: String?

    @Option(help: "Show hints 1 to K of the exercise (they get more precise).")
    var level = 1

    func validate() throws {
        if level < 1 { throw ValidationError("--level starts at 1") }
    }

    func run() throws {
        let workspace = try CourseWorkspace.current()
        let lesson = try workspace.availableLesson(self.lesson)
        let path = workspace.hints(lesson)
        let shownPath = workspace.relative(path)
        guard FileManager.default.fileExists(atPath: path.path) else { throw CourseError.hintsMissing(path: shownPath) }
        let book = try HintBook.load(from: path)
        if let exercise {
            let id = ExerciseID.normalize(exercise, lesson: lesson.number)
            guard let section = book.section(id) else {
                throw CourseError.hintSectionMissing(exercise: id, path: shownPath)
            }
            show(section, lesson: lesson)
            return
        }
        for section in book.sections {
            show(section, lesson: lesson)
            say()
        }
        let ids = (try? workspace.reference(lesson).exerciseIDs) ?? []
        let missing = ids.filter { book.section($0) == nil }
        if book.sections.isEmpty {
            say("\(shownPath) has no `## \(lesson.code).K title` sections yet.")
        } else if !missing.isEmpty {
            say("No hints yet for: \(missing.joined(separator: ", ")).")
        }
    }

    private func show(_ section: HintBook.Section, lesson: Lesson) {
        say("\(section.id) \(section.title)")
        guard !section.hints.isEmpty else {
            say("  (no hints written for this exercise yet)")
            return
        }
        let shown = min(level, section.hints.count)
        for (index, hint) in section.hints.prefix(shown).enumerated() {
            say("Hint \(index + 1)/\(section.hints.count):")
            say(hint.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
        }
        if shown < section.hints.count {
            say("More: swift run course hint \(lesson.number) \(section.id) --level \(shown + 1)")
        }
    }
}
