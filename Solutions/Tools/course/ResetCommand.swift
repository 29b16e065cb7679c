import ArgumentParser
import CourseKit
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Back up your Sources/<Module> of lesson N, put the pristine starter back, and unstart the lesson.")

    @Argument(help: "The lesson number.")
    var lesson: Int

    @Flag(help: "Do not ask for confirmation (needed when there is no terminal to ask on).")
    var force = false

    func run() throws {
        let workspace = try CourseWorkspace.current()
        let lesson = try workspace.availableLesson(self.lesson)
        let sources = workspace.sources(lesson)
        let shown = workspace.relative(sources)
        let pristine = try workspace.pristineStarter(lesson)
        let current = try FileTree.read(sources)

        if current.isEmpty || current == pristine {
            say("\(shown) is already the pristine starter: nothing to back up.")
        } else {
            let differences = FileTree.differences(expected: pristine, actual: current)
            if !force {
                guard isatty(STDIN_FILENO) != 0 else {
                    throw CourseError.confirmationRequired(lesson: lesson.number, path: shown)
                }
                say("\(shown) differs from the starter:")
                differences.lines(prefix: "").forEach { say("  " + $0) }
                FileHandle.standardOutput.write(Data("Back it up and reset lesson \(lesson.number)? [y/N] ".utf8))
                guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                    say("Nothing changed.")
                    return
                }
            }
            let backup = try backupFolder(workspace, lesson)
            try FileTree.copy(sources, to: backup)
            say("Backed up \(shown) to \(workspace.relative(backup))")
        }
        try FileTree.sync(pristine, to: sources)
        // The recorded results were about the code just put away.
        var state = workspace.loadState()
        state.forget(lesson: lesson.number, exercises: (try? workspace.reference(lesson).exerciseIDs) ?? [])
        try workspace.save(state)
        let change = try ManifestEditor.update(workspace.manifest) { $0.subtracting([lesson.number]) }
        say("\(shown) is the pristine starter again.")
        say(
            "Package.swift: startedLessons = \(ManifestEditor.format(change.after)); "
                + "lesson \(lesson.number) builds from Solutions/\(lesson.module) (swift run course start \(lesson.number) to work on it again)."
        )
    }

    /// `.course/backups/<Module>-<yyyyMMdd-HHmmss>`, never an existing folder.
    private func backupFolder(_ workspace: CourseWorkspace, _ lesson: Lesson) throws -> URL {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let base = "\(lesson.module)-\(formatter.string(from: Date()))"
        var candidate = workspace.backupRoot.appendingPathComponent(base)
        var suffix = 2
        while FileManager.default.fileExists(atPath: candidate.path) {
            candidate = workspace.backupRoot.appendingPathComponent("\(base)-\(suffix)")
            suffix += 1
        }
        return candidate
    }
}
