import Foundation

/// What one run of a lesson's tests says about each exercise it covered.
public struct ExerciseOutcomes: Sendable, Equatable {
    public var passed: [String]
    public var failed: [String]
    /// Exercises the run could say nothing about (the build failed, or the test process crashed).
    public var unknown: [String]

    public init(passed: [String] = [], failed: [String] = [], unknown: [String] = []) {
        self.passed = passed
        self.failed = failed
        self.unknown = unknown
    }
}

/// The short reading of a `swift test` run that `course test` and `course watch` print and record.
///
/// How exercises are told apart: every test that checks exercise NN.K carries the id in its
/// display name (see `ExerciseTestMap`), and a stub's error names it too, so when one of an
/// exercise's tests fails, a failure line names the exercise. Hence, in a run that got to its end:
/// the exercises named in failure lines failed, and the others of the run passed. When the run did
/// not get to its end (a compile error, a crash), only the named ones are known.
public struct TestRunSummary: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        case passed
        /// The tests ran and some failed.
        case failed
        /// The tests did not run to their end: the build failed, or the test process crashed.
        case didNotFinish
    }

    public let verdict: Verdict
    public let outcomes: ExerciseOutcomes
    /// The first lines that report a failure, trimmed: what to read first.
    public let firstFailureLines: [String]
    /// The modules of `Sources/` that compiler errors point into (`IMHeartbeat`), in order of
    /// appearance: a started lesson that does not compile stops every lesson's build.
    public let modulesWithCompileErrors: [String]

    /// swift-testing's closing line, `✘ Test run with 12 tests in 3 suites failed after ...`.
    static let runEndMarker = "Test run with "

    public init(exitCode: Int32, output: String, exercises: [String], failureLineLimit: Int = 6) {
        if exitCode == 0 {
            verdict = .passed
            outcomes = ExerciseOutcomes(passed: exercises)
            firstFailureLines = []
            modulesWithCompileErrors = []
            return
        }
        let named = FailureScan.exercisesNamed(exercises, in: output)
        let others = exercises.filter { !named.contains($0) }
        // A crash (exit code above 128: killed by a signal) can cut the run short after its last line.
        let finished = exitCode < 128 && output.contains(Self.runEndMarker)
        verdict = finished ? .failed : .didNotFinish
        outcomes =
            finished
            ? ExerciseOutcomes(passed: others, failed: named)
            : ExerciseOutcomes(failed: named, unknown: others)
        firstFailureLines = Self.firstFailureLines(in: output, limit: failureLineLimit)
        modulesWithCompileErrors = Self.modulesWithCompileErrors(in: output)
    }

    /// `.../Sources/IMHeartbeat/IdleLedger.swift:54:19: error: ...` → `IMHeartbeat`.
    static func modulesWithCompileErrors(in output: String) -> [String] {
        var modules: [String] = []
        for line in output.split(separator: "\n") where line.contains(": error: ") {
            guard let range = line.range(of: "Sources/") else { continue }
            let module = String(line[range.upperBound...].prefix { $0 != "/" })
            if !module.isEmpty && !modules.contains(module) { modules.append(module) }
        }
        return modules
    }

    /// The first failure lines, skipping swift-testing's headers and summaries (which repeat what
    /// came before), each cut to one screen line.
    static func firstFailureLines(in output: String, limit: Int) -> [String] {
        let summaries = [
            runEndMarker, "✘ Suite ", " failed after ", "Testing Library Version", "Target Platform", "error: fatalError",
            "error: Exited with",
        ]
        return FailureScan.failureLines(in: output)
            .filter { line in !summaries.contains { line.contains($0) } }
            // The compiler repeats each error under the source line it quotes (`  |  `- error: ...`).
            .filter { line in !line.drop { $0 == " " }.hasPrefix("|") }
            .prefix(limit)
            .map { line in
                let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
                return trimmed.count > 160 ? String(trimmed.prefix(157)) + "..." : trimmed
            }
    }
}
