import ArgumentParser
import CourseKit
import Foundation

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Regenerate the starters in Sources/ and the solution hints in HINTS.md from Solutions/ (for maintainers).",
        discussion: "A started lesson's Sources/<Module> is the learner's work and is left alone unless --force.")

    @Argument(help: "Only this lesson (default: every available lesson).")
    var lesson: Int?

    @Flag(help: "Overwrite started lessons' Sources/ too.")
    var force = false

    func run() throws {
        let workspace = try CourseWorkspace.current()
        let lessons = try lesson.map { [try workspace.availableLesson($0)] } ?? workspace.catalog.available
        let started = try workspace.startedLessons()
        var refused: [Lesson] = []
        for lesson in lessons {
            let sources = workspace.sources(lesson)
            let shown = workspace.relative(sources)
            let pristine = try workspace.pristineStarter(lesson)
            let current = try FileTree.read(sources)
            if current == pristine {
                say("\(shown): up to date")
                continue
            }
            if started.contains(lesson.number) && !force {
                say(
                    "\(shown): NOT written: lesson \(lesson.number) is started, so this is the learner's work (--force to overwrite)"
                )
                refused.append(lesson)
                continue
            }
            try FileTree.sync(pristine, to: sources)
            let differences = FileTree.differences(expected: pristine, actual: current)
            say("\(shown): written")
            differences.missing.forEach { say("  added:   \($0)") }
            differences.extra.forEach { say("  removed: \($0)") }
            differences.changed.forEach { say("  updated: \($0)") }
        }
        for lesson in lessons {
            let hints = try workspace.generatedHints(lesson)
            hints.problems.forEach { say("warning: \($0)") }
            let shown = workspace.relative(workspace.hints(lesson))
            if hints.expected == hints.actual {
                say("\(shown): up to date")
            } else {
                try Data(hints.expected.utf8).write(to: workspace.hints(lesson), options: .atomic)
                say("\(shown): solution hints written")
            }
        }
        if lesson == nil {
            let modules = Set(workspace.catalog.available.map(\.module))
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: workspace.sourcesRoot.path)) ?? []
            for entry in entries.sorted() where !entry.hasPrefix(".") && !modules.contains(entry) {
                say("warning: Sources/\(entry) is not the module of an available lesson; remove it if it is stale")
            }
        }
        if let first = refused.first {
            throw CourseError.refusedToOverwrite(lesson: first.number, path: workspace.relative(workspace.sources(first)))
        }
    }
}
