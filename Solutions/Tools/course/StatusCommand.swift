import ArgumentParser
import CourseKit
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show every lesson: planned, reference or started, exercises and last test.")

    func run() throws {
        let workspace = try CourseWorkspace.current()
        say(LessonProgress.table(try LessonProgress.all(in: workspace), workspace: workspace))
        say()
        say("planned: not written yet.  reference: builds from Solutions/.  started: builds from your Sources/.")
        if let override = ProcessInfo.processInfo.environment["IM_LESSONS"], !override.isEmpty {
            say("Note: IM_LESSONS=\(override) is set in this shell; it overrides Package.swift for swift build/test.")
        }
    }
}
