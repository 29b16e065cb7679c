/// Finds which exercise ids a test run's output names in its failures.
///
/// swift-testing prints an issue as `✘ Test "..." recorded an issue at File.swift:12:5: ...` with
/// comments on following `↳` lines; XCTest prints `error: ... failed`; a stub's error says
/// `exercise 02.1 is not implemented yet`. Only such lines count, so that a passing test whose name
/// mentions an id does not look like a failure.
public enum FailureScan {
    static let failureWords = ["✘", "error:", "failed", "↳", "not implemented", "Fatal error", "recorded an issue"]

    public static func isFailureLine(_ line: Substring) -> Bool {
        failureWords.contains { line.contains($0) }
    }

    public static func failureLines(in output: String) -> [Substring] {
        output.split(separator: "\n").filter(isFailureLine)
    }

    /// The ids of `exercises` named in failure lines of `output`, in the order given.
    public static func exercisesNamed(_ exercises: [String], in output: String) -> [String] {
        let lines = failureLines(in: output)
        return exercises.filter { id in lines.contains { ExerciseID.occurs(id, in: $0) } }
    }
}
