import Foundation

/// What the course tool remembers between runs: the last test result of each lesson. It lives in
/// `.build/course-state.json`, which git ignores, because it is the learner's local progress.
public struct CourseState: Codable, Sendable, Equatable {
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

    /// Keyed by lesson number as text, so the JSON stays readable.
    public var lastTests: [String: TestRecord]

    public init(lastTests: [String: TestRecord] = [:]) {
        self.lastTests = lastTests
    }

    public func lastTest(_ lesson: Int) -> TestRecord? { lastTests[String(lesson)] }

    public mutating func record(_ record: TestRecord, for lesson: Int) {
        lastTests[String(lesson)] = record
    }

    /// A missing or unreadable state is an empty one: losing it loses only the "last test" column.
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
