import Foundation

/// What the course tool remembers between runs: the last test result of each lesson and of each
/// exercise. It lives in `.course/state.json` at the repository root (ignored by git, outside
/// `.build/` so that cleaning the build keeps it), because it is the learner's local progress.
public struct CourseState: Codable, Sendable, Equatable {
    /// One run of a whole lesson's tests (`course test N`).
    public struct TestRecord: Codable, Sendable, Equatable {
        public var passed: Bool
        public var exitCode: Int32
        public var finishedAt: Date
        public var seconds: Double
        /// Whether the lesson was built from the learner's `Sources/` (false: from the reference).
        public var fromSources: Bool
        /// The lesson's exercise ids that appeared in the failure output.
        public var exercisesInFailures: [String]

        public init(
            passed: Bool, exitCode: Int32, finishedAt: Date, seconds: Double, fromSources: Bool,
            exercisesInFailures: [String]
        ) {
            self.passed = passed
            self.exitCode = exitCode
            self.finishedAt = finishedAt
            self.seconds = seconds
            self.fromSources = fromSources
            self.exercisesInFailures = exercisesInFailures
        }
    }

    /// The last result the tool could tell for one exercise of the learner's own code.
    public struct ExerciseRecord: Codable, Sendable, Equatable {
        public var passed: Bool
        public var finishedAt: Date

        public init(passed: Bool, finishedAt: Date) {
            self.passed = passed
            self.finishedAt = finishedAt
        }
    }

    /// Keyed by lesson number as text, so the JSON stays readable.
    public var lastTests: [String: TestRecord]
    /// Keyed by exercise id (`04.1`). Only runs of the learner's code (built from `Sources/`) count.
    public var exercises: [String: ExerciseRecord]

    public init(lastTests: [String: TestRecord] = [:], exercises: [String: ExerciseRecord] = [:]) {
        self.lastTests = lastTests
        self.exercises = exercises
    }

    /// A state written before exercises were recorded has no `exercises` key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        lastTests = try container.decodeIfPresent([String: TestRecord].self, forKey: .lastTests) ?? [:]
        exercises = try container.decodeIfPresent([String: ExerciseRecord].self, forKey: .exercises) ?? [:]
    }

    public func lastTest(_ lesson: Int) -> TestRecord? { lastTests[String(lesson)] }

    public mutating func record(_ record: TestRecord, for lesson: Int) {
        lastTests[String(lesson)] = record
    }

    public func exercise(_ id: String) -> ExerciseRecord? { exercises[id] }

    /// Whether the exercise's tests last passed on the learner's code.
    public func hasPassed(exercise id: String) -> Bool { exercises[id]?.passed == true }

    /// Records what a run could tell: `passed`/`failed` replace the old records, `unknown` ids lose
    /// theirs (the code changed and the run said nothing about them).
    public mutating func record(_ outcomes: ExerciseOutcomes, at date: Date) {
        for id in outcomes.passed { exercises[id] = ExerciseRecord(passed: true, finishedAt: date) }
        for id in outcomes.failed { exercises[id] = ExerciseRecord(passed: false, finishedAt: date) }
        for id in outcomes.unknown { exercises[id] = nil }
    }

    /// A lesson is done when the last run of all its tests passed on the learner's own code.
    public func isDone(_ lesson: Int) -> Bool {
        guard let record = lastTest(lesson) else { return false }
        return record.passed && record.fromSources
    }

    /// Forgets a lesson's results (after `course reset`: the code they were about is gone).
    public mutating func forget(lesson: Int, exercises ids: [String]) {
        lastTests[String(lesson)] = nil
        for id in ids { exercises[id] = nil }
    }

    /// A missing or unreadable state is an empty one: losing it loses only recorded progress.
    public static func load(from url: URL) -> CourseState {
        guard let data = FileManager.default.contents(atPath: url.path) else { return CourseState() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? decoder.decode(CourseState.self, from: data)) ?? CourseState()
    }

    public func save(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try encoder.encode(self).write(to: url, options: .atomic)
        } catch {
            throw CourseError.fileSystem(path: url.path, reason: "cannot save the course state: \(error.localizedDescription)")
        }
    }
}
