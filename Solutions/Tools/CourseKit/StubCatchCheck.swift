import Foundation

/// Check 5: every exercise stub is caught. For each exercise X of a lesson, `Sources/<Module>` gets
/// the reference with only X stubbed, and the lesson's tests must fail naming X. Each stub is tried
/// alone so that a test that only catches the first stub of a lesson is found out.
public struct StubCatchCheck: Sendable {
    public enum Verdict: String, Sendable {
        case caught = "caught"
        case notCaught = "NOT CAUGHT"
        case caughtWithoutID = "caught but id not named"
        case buildFailed = "variant does not build"
    }

    public let workspace: CourseWorkspace
    public let runner: ProcessRunner

    public init(workspace: CourseWorkspace, runner: ProcessRunner = ProcessRunner(echo: false)) {
        self.workspace = workspace
        self.runner = runner
    }

    /// The pristine starters of `lessons`, to put back afterwards (also from a signal handler).
    public func pristineStarters(_ lessons: [Lesson]) throws -> [URL: [String: Data]] {
        var starters: [URL: [String: Data]] = [:]
        for lesson in lessons {
            starters[workspace.sources(lesson)] = try workspace.pristineStarter(lesson)
        }
        return starters
    }

    public static func restore(_ starters: [URL: [String: Data]]) {
        for (folder, files) in starters {
            try? FileTree.sync(files, to: folder)
        }
    }

    /// Runs the check; `progress` gets one line per exercise as soon as it is known.
    public func run(lessons: [Lesson], progress: (String) -> Void) -> CheckResult {
        let started = Date()
        var details: [String] = []
        var tried = 0
        for lesson in lessons {
            do {
                details += try run(lesson, tried: &tried, progress: progress)
            } catch {
                details.append("lesson \(lesson.code): \(error)")
                progress("  lesson \(lesson.code): \(error)")
            }
        }
        let elapsed = CourseCheck.seconds(Date().timeIntervalSince(started))
        return CheckResult(
            title: "5. every stub is caught (\(tried) exercises tried one by one in \(elapsed))",
            passed: details.isEmpty, details: details)
    }

    /// The failures of one lesson, as report lines.
    private func run(_ lesson: Lesson, tried: inout Int, progress: (String) -> Void) throws -> [String] {
        let reference = try workspace.reference(lesson)
        let folder = workspace.sources(lesson)
        let pristine = StarterGenerator.files(for: reference)
        // Variants overwrite Sources/<Module>: never do that to a copy that may hold someone's work.
        guard try FileTree.read(folder) == pristine else {
            let line =
                "lesson \(lesson.code): Sources/\(lesson.module) is not the pristine starter; run `swift run course generate` first"
            progress("  " + line)
            return [line]
        }
        defer { try? FileTree.sync(pristine, to: folder) }

        var failures: [String] = []
        for exercise in reference.exercises {
            tried += 1
            try FileTree.sync(StarterGenerator.files(for: reference, mode: .only(exercise.id)), to: folder)
            let result = try runner.run(
                ProcessRunner.swift("test", ["--filter", lesson.testTarget]), in: workspace.root,
                environment: ["IM_LESSONS": String(lesson.number)])
            let verdict = Self.verdict(for: exercise.id, result)
            progress("  \(exercise.id)  \(verdict.rawValue)  (\(CourseCheck.seconds(result.seconds)))")
            guard verdict == .caught else {
                failures.append("\(exercise.id) \(verdict.rawValue): \(exercise.location) \(exercise.task)")
                let tail = result.output.split(separator: "\n").suffix(15).map { "    | " + $0 }
                progress(tail.joined(separator: "\n"))
                continue
            }
        }
        return failures
    }

    static func verdict(for id: String, _ result: ProcessResult) -> Verdict {
        if result.succeeded { return .notCaught }
        // No test ran at all: the variant (or something else) failed to compile.
        let ranTests =
            result.output.contains("Test run") || result.output.contains("Executed ")
            || result.output.contains("Test Suite")
        if !ranTests && result.output.contains("error:") { return .buildFailed }
        return FailureScan.exercisesNamed([id], in: result.output).isEmpty ? .caughtWithoutID : .caught
    }
}
