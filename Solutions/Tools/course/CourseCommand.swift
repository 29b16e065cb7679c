import ArgumentParser
import CourseKit
import Foundation

/// `swift run course ...`: the learner's and the maintainer's tool for the lessons.
@main
struct Course: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "course",
        abstract: "Work through the IM course: start a lesson, test it, get hints, compare with the reference.",
        discussion: """
            A started lesson builds from your copy in Sources/<Module>; every other lesson builds from the \
            reference in Solutions/<Module>. Run from anywhere inside the repository.
            """,
        subcommands: [
            StatusCommand.self, NextCommand.self, StartCommand.self, TestCommand.self, WatchCommand.self,
            HintCommand.self, DiffCommand.self, ResetCommand.self, GenerateCommand.self, TestMapCommand.self,
            CheckCommand.self,
        ],
        defaultSubcommand: StatusCommand.self)
}

extension CourseWorkspace {
    /// The repository around the current directory.
    static func current() throws -> CourseWorkspace {
        let workspace = try locate(from: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        for move in workspace.migrateLegacyFiles() {
            say("Moved \(move) (progress and backups now live in .course/, which cleaning .build keeps).")
        }
        return workspace
    }
}

/// Writes a line to standard output at once. Everything goes through here (not `print`, which is
/// buffered when piped) so that our lines and the streamed `swift test` output stay in order.
func say(_ text: String = "") {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
