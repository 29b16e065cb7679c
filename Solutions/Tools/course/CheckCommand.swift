import ArgumentParser
import CourseKit
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract:
            "The CI checks: markers, starters and solution hints in sync, manifest, starters compile, texts, every stub caught.",
        discussion: """
            Check 6 writes a check build into every Sources/<Module> (each exercise block holds its stub and \
            its reference, chosen at run time by COURSE_STUB=NN.K), builds it once, and runs each lesson's \
            tests once per exercise; the pristine starters are always put back, also on Ctrl-C. \
            Extra arguments for swift build/test can be given in COURSE_SWIFT_FLAGS (e.g. --scratch-path .build-ci).
            """)

    @Flag(help: "Skip check 6 (it runs each lesson's tests once per exercise, which takes long).")
    var skipStubTests = false

    @Option(help: "Run check 6 for lesson N only.")
    var only: Int?

    func run() throws {
        let workspace = try CourseWorkspace.current()
        let check = CourseCheck(workspace: workspace, runner: ProcessRunner(echo: false))
        let started = Date()
        var results: [CheckResult] = []
        func report(_ result: CheckResult) {
            say(result.report)
            results.append(result)
        }

        report(check.markers())
        report(check.startersInSync())
        report(check.manifestIsEmpty())
        say("....  4. building every starter with its tests (IM_LESSONS=all swift build --build-tests)...")
        report(check.startersCompile())

        report(check.textsMatchExercises())

        if !skipStubTests {
            let title = "6. every stub is caught"
            if !results[0].passed {
                report(CheckResult(title: title, passed: false, details: ["not run: the markers are broken (check 1)"]))
            } else if !results[3].passed {
                report(CheckResult(title: title, passed: false, details: ["not run: the starters do not compile (check 4)"]))
            } else {
                let lessons = try only.map { [try workspace.availableLesson($0)] } ?? workspace.catalog.available
                // It overwrites every lesson's Sources/ (only when all are pristine) and puts the
                // starters back when it ends, also on Ctrl-C.
                let stubCheck = StubCatchCheck(workspace: workspace)
                say("....  6. one check build, then each lesson's tests once per exercise, with only that exercise stubbed...")
                report(stubCheck.run(lessons: lessons, progress: { say($0) }))
            }
        }

        let failed = results.filter { !$0.passed }.count
        say()
        say(
            "\(results.count - failed) of \(results.count) checks passed in \(String(format: "%.0fs", Date().timeIntervalSince(started)))."
        )
        if failed > 0 { throw ExitCode.failure }
    }
}
