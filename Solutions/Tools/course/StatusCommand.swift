import ArgumentParser
import CourseKit
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show every lesson: done, in progress, not started or planned; exercises and last test.")

    func run() throws {
        let workspace = try CourseWorkspace.current()
        say(LessonProgress.table(try LessonProgress.all(in: workspace), workspace: workspace))
        say()
        say("done: all its tests passed on your code.  in progress: started (builds from your Sources/), not done yet.")
        say("not started: builds from the reference in Solutions/.  planned: not written yet.")
        say("What to do next: swift run course next")
        if let override = ProcessInfo.processInfo.environment["IM_LESSONS"], !override.isEmpty {
            say("Note: IM_LESSONS=\(override) is set in this shell; it overrides Package.swift for swift build/test.")
        }
    }
}
