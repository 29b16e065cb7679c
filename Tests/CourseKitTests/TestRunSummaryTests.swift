import Testing

@testable import CourseKit

@Suite("Reading a test run: which exercises passed, failed, or cannot be told")
struct TestRunSummaryTests {
    static let failingRun = """
        Building for debugging...
        Build complete! (1.20s)
        ◇ Test run started.
        ↳ Testing Library Version: 6.3.1
        ◇ Suite "04.1 Push window" started.
        ✘ Test "04.2 an unacknowledged push is re-sent twice" recorded an issue at PushWindowTests.swift:30:9: Caught error: exercise 04.2 is not implemented yet
        ↳ expected: the overdue pushes
        ✘ Test "04.2 an unacknowledged push is re-sent twice" failed after 0.002 seconds with 1 issue.
        ✔ Test "04.1 an acknowledged push is removed once" passed after 0.001 seconds.
        ✘ Suite "04 Push window" failed after 0.004 seconds with 1 issue.
        ✘ Test run with 5 tests in 1 suite failed after 0.004 seconds with 1 issue.
        """

    @Test("a passing run passes every exercise it covered")
    func passing() {
        let summary = TestRunSummary(exitCode: 0, output: "✔ Test run with 5 tests passed", exercises: ["04.1", "04.2"])
        #expect(summary.verdict == .passed)
        #expect(summary.outcomes == ExerciseOutcomes(passed: ["04.1", "04.2"]))
        #expect(summary.firstFailureLines.isEmpty)
    }

    @Test("a run that got to its end: the exercises named in failures failed, the others passed")
    func failing() {
        let summary = TestRunSummary(exitCode: 1, output: Self.failingRun, exercises: ["04.1", "04.2"])
        #expect(summary.verdict == .failed)
        #expect(summary.outcomes == ExerciseOutcomes(passed: ["04.1"], failed: ["04.2"]))
        #expect(summary.firstFailureLines.first?.hasPrefix("✘ Test \"04.2 an unacknowledged") == true)
        #expect(!summary.firstFailureLines.contains { $0.contains("Test run with") || $0.contains("✘ Suite") })
    }

    @Test("a build that fails says nothing about the exercises; its errors come first")
    func buildFails() {
        let output = """
            Building for debugging...
            /repo/Sources/IMDelivery/PushWindow.swift:31:13: error: cannot find 'pendng' in scope
            29 |         // BEGIN EXERCISE 04.1: Remove the push
            30 |         pendng.removeValue(forKey: pushID) != nil
               |         `- error: cannot find 'pendng' in scope
            error: emit-module command failed with exit code 1 (use -v to see invocation)
            error: fatalError
            """
        let summary = TestRunSummary(exitCode: 1, output: output, exercises: ["04.1", "04.2"])
        #expect(summary.verdict == .didNotFinish)
        #expect(summary.outcomes == ExerciseOutcomes(unknown: ["04.1", "04.2"]))
        #expect(summary.firstFailureLines.first?.contains("cannot find 'pendng' in scope") == true)
        #expect(summary.modulesWithCompileErrors == ["IMDelivery"])
        #expect(summary.firstFailureLines.count == 2, "the quoted repeat and SwiftPM's summary are left out")
        #expect(!summary.firstFailureLines.contains("error: fatalError"))
    }

    @Test("a crash (killed by a signal) keeps only what was named before it")
    func crash() {
        let summary = TestRunSummary(exitCode: 132, output: Self.failingRun, exercises: ["04.1", "04.2"])
        #expect(summary.verdict == .didNotFinish)
        #expect(summary.outcomes == ExerciseOutcomes(failed: ["04.2"], unknown: ["04.1"]))
    }

    @Test("failure lines are capped in number and length")
    func capped() {
        let long = String(repeating: "x", count: 400)
        let output = (1...20).map { "✘ Test \"t\($0)\" recorded an issue: \(long)" }.joined(separator: "\n")
        let summary = TestRunSummary(exitCode: 1, output: output, exercises: [], failureLineLimit: 3)
        #expect(summary.firstFailureLines.count == 3)
        #expect(summary.firstFailureLines.allSatisfy { $0.count == 160 })
    }
}
