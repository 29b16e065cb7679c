// im-faults: the acceptance test of lessons 04, 05, 07 and 09, as a program.
//
// It starts a real `im-server` process, registers users with two devices each, and has them
// exchange messages while it kills the server with SIGKILL and restarts it, over and over, and
// drops device connections at random. Every send is retried with the same client message id
// until it is acknowledged. At the end it checks, against the server and every device:
//   - every acknowledged message is stored once and present once on every device of both members;
//   - each conversation is in seq order on every device, each message linked to the one before;
//   - unread totals equal the sum of their parts and match what each device has not read;
//   - all devices of a user converge on the same timeline version and messages.
// Usage: swift run im-faults --server .build/debug/im-server --cycles 20

import ArgumentParser
import Foundation
import IMClient
import IMCore

#if canImport(Glibc)
    import Glibc
#endif

@main
struct IMFaults: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "im-faults",
        abstract: "Kill and restart a real im-server while devices chat; check that nothing acknowledged is lost or doubled.")

    @Option(help: "The im-server executable to run.")
    var server = ".build/debug/im-server"
    @Option(help: "How many times the server is killed with SIGKILL and restarted.")
    var cycles = 20
    @Option(help: "How many users (each has two devices).")
    var users = 4
    @Option(help: "How many messages in all.")
    var messages = 2_000
    @Option(help: "Messages in flight at once per user.")
    var concurrency = 4
    @Option(help: "Give up if the run takes longer than this many seconds.")
    var timeLimit = 300

    mutating func run() async throws {
        let run = FaultRun(
            serverPath: server, cycles: cycles, userCount: max(2, users), messageCount: messages,
            concurrency: max(1, concurrency), timeLimit: .seconds(timeLimit))
        let failures = try await run.execute()
        if !failures.isEmpty {
            for failure in failures.prefix(30) { report("FAIL: \(failure)") }
            report("im-faults: \(failures.count) violation(s)")
            throw ExitCode.failure
        }
    }
}

/// Writes a line at once (stdout may be a pipe in CI, where `print` would buffer it).
func report(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

struct FaultError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
