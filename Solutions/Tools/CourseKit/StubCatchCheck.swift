import Foundation

/// Check 6: every exercise stub is caught. Each stub is tried alone, so that a test that only
/// catches the first stub of a lesson is found out: with exercise X stubbed and every other
/// exercise as in the reference, the lesson's tests must fail, naming X.
///
/// One build serves every exercise. `Sources/<Module>` of every available lesson gets the
/// switchable form of its reference (`StubMode.switchable`: each block holds its stub and its
/// reference behind `if Exercise.isStubbed("NN.K")`), the package is built once with
/// `IM_LESSONS=all`, and then each lesson's tests run once per exercise with `COURSE_STUB=NN.K`.
/// The pristine starters are put back afterwards.
public struct StubCatchCheck: Sendable {
    public enum Verdict: String, Sendable {
        case caught = "caught"
        case notCaught = "NOT CAUGHT"
        case caughtWithoutID = "caught but id not named"
        case didNotRun = "tests did not run"
    }

    public let workspace: CourseWorkspace
    public let runner: ProcessRunner

    public init(workspace: CourseWorkspace, runner: ProcessRunner = ProcessRunner(echo: false)) {
        self.workspace = workspace
        self.runner = runner
    }

    static func restore(_ starters: [URL: [String: Data]]) {
        for (folder, files) in starters {
            try? FileTree.sync(files, to: folder)
        }
    }

    /// Runs the check for the exercises of `lessons`; `progress` gets one line per step as soon as
    /// it is known. Every available lesson's `Sources/` must be the pristine starter (the check
    /// overwrites them and puts the starters back, so it never touches someone's work).
    public func run(lessons: [Lesson], progress: (String) -> Void) -> CheckResult {
        let started = Date()
        let title = "6. every stub is caught"
        var details: [String] = []
        var tried = 0
        do {
            // The pristine starters, generated once: to compare with Sources/ now and to put back at
            // the end, also when Ctrl-C or CI's SIGTERM interrupts the run.
            let available = workspace.catalog.available
            var pristine: [URL: [String: Data]] = [:]
            for lesson in available { pristine[workspace.sources(lesson)] = try workspace.pristineStarter(lesson) }
            let notPristine = try available.filter { try FileTree.read(workspace.sources($0)) != pristine[workspace.sources($0)] }
            guard notPristine.isEmpty else {
                return CheckResult(
                    title: title, passed: false,
                    details: notPristine.map {
                        "lesson \($0.code): Sources/\($0.module) is not the pristine starter; "
                            + "run `swift run course generate` first (the check overwrites Sources/ while it runs)"
                    })
            }
            let trap = SignalTrap { [pristine] in Self.restore(pristine) }
            defer {
                trap.cancel()
                Self.restore(pristine)
            }
            for lesson in available {
                try FileTree.sync(
                    StarterGenerator.files(for: try workspace.reference(lesson), mode: .switchable),
                    to: workspace.sources(lesson))
            }
            progress("  building the check build once (every lesson switchable, IM_LESSONS=all)...")
            let build = try runner.run(
                ProcessRunner.swift("build", ["--build-tests"]), in: workspace.root,
                environment: ["IM_LESSONS": "all"])
            guard build.succeeded else {
                return CheckResult(
                    title: title, passed: false,
                    details: ["the check build failed (a block whose declarations are used after its END line?)"]
                        + CourseCheck.errorLines(build.output))
            }
            progress("  built in \(CourseCheck.seconds(build.seconds))")
            for lesson in lessons {
                for exercise in try workspace.reference(lesson).exercises {
                    tried += 1
                    let runTests = {
                        try runner.run(
                            ProcessRunner.swift("test", ["--skip-build", "--filter", lesson.testTarget]),
                            in: workspace.root, environment: ["IM_LESSONS": "all", "COURSE_STUB": exercise.id])
                    }
                    let result = try runTests()
                    let verdict = Self.verdict(for: exercise.id, result)
                    var silent = verdict == .caught ? FailureReport.testsNotNaming(exercise.id, in: result.output) : []
                    var line = "  \(exercise.id)  \(verdict.rawValue)  (\(CourseCheck.seconds(result.seconds)))"
                    if !silent.isEmpty {
                        // A test that failed without naming the stub may be a flake under load rather
                        // than one the stub breaks: only a failure that comes back on a second run counts.
                        let again = try runTests()
                        let repeated = Set(FailureReport.testsNotNaming(exercise.id, in: again.output))
                        let flaky = silent.filter { !repeated.contains($0) }
                        silent = silent.filter { repeated.contains($0) }
                        for test in flaky {
                            line += "\n      warning: \"\(test)\" failed once without naming \(exercise.id), then passed (flaky?)"
                        }
                    }
                    if !silent.isEmpty { line += "; \(silent.count) failing test(s) do not name it" }
                    progress(line)
                    guard verdict == .caught else {
                        details.append("\(exercise.id) \(verdict.rawValue): \(exercise.location) \(exercise.task)")
                        let tail = result.output.split(separator: "\n").suffix(15).map { "    | " + $0 }
                        progress(tail.joined(separator: "\n"))
                        continue
                    }
                    // All of them: this report is for maintainers, who fix each one (in the test's
                    // messages, or by naming the exercise in the test's title).
                    for test in silent {
                        details.append("\(exercise.id): the failure of test \"\(test)\" does not name \(exercise.id)")
                    }
                }
            }
        } catch {
            details.append("\(error)")
        }
        let elapsed = CourseCheck.seconds(Date().timeIntervalSince(started))
        return CheckResult(
            title: "\(title) (\(tried) exercises, one build, in \(elapsed))",
            passed: details.isEmpty, details: details)
    }

    static func verdict(for id: String, _ result: ProcessResult) -> Verdict {
        if result.succeeded { return .notCaught }
        let ranTests =
            result.output.contains("Test run") || result.output.contains("Executed ")
            || result.output.contains("Test Suite")
        if !ranTests { return .didNotRun }
        return FailureScan.exercisesNamed([id], in: result.output).isEmpty ? .caughtWithoutID : .caught
    }
}
