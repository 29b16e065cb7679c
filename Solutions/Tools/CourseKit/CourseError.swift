import Foundation

/// A place in a file, printed as `path:line` so that editors and CI logs can jump to it.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// One problem with exercise markers, at the line where it was found.
public struct MarkerProblem: Sendable, Hashable, CustomStringConvertible {
    public let location: SourceLocation
    public let message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// Everything the course tool can refuse to do, with a message that says what to do instead.
public enum CourseError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    case packageRootNotFound(startedAt: String)
    case unreadableCatalog(path: String, reason: String)
    case unknownLesson(Int)
    case plannedLesson(number: Int, title: String)
    case malformedMarkers([MarkerProblem])
    case manifestLineMissing(path: String)
    case manifestLineUnreadable(location: SourceLocation, line: String)
    case hintsMissing(path: String)
    case hintSectionMissing(exercise: String, path: String)
    case unknownExercise(id: String, lesson: Int, known: [String])
    case refusedToOverwrite(lesson: Int, path: String)
    case confirmationRequired(lesson: Int, path: String)
    case lessonNotStarted(lesson: Int, module: String)
    case noTestsForExercise(id: String, testTarget: String)
    case fileSystem(path: String, reason: String)
    case processFailed(command: String, reason: String)
    case interrupted(command: String, signal: Int32)

    public var description: String {
        switch self {
        case .packageRootNotFound(let start):
            return "no Package.swift with Lessons/lessons.json found in \(start) or any folder above it; "
                + "run the course tool from the course repository"
        case .unreadableCatalog(let path, let reason):
            return "cannot read the lesson list \(path): \(reason)"
        case .unknownLesson(let number):
            return "there is no lesson \(number); the course has lessons 1 to 22 (see `swift run course status`)"
        case .plannedLesson(let number, let title):
            return "lesson \(number) (\(title)) is planned but not written yet: it has no code or starter to work on"
        case .malformedMarkers(let problems):
            return "malformed exercise markers:\n" + problems.map { "  \($0)" }.joined(separator: "\n")
        case .manifestLineMissing(let path):
            return "\(path) has no line `let startedLessons: Set<Int> = [...]` (exactly one is needed); "
                + "restore it from git before using the course tool"
        case .manifestLineUnreadable(let location, let line):
            return "\(location): cannot read `\(line)`; expected `let startedLessons: Set<Int> = [1, 2]`"
        case .hintsMissing(let path):
            return "no hints for this lesson yet (\(path) does not exist)"
        case .hintSectionMissing(let exercise, let path):
            return "\(path) has no section `## \(exercise) ...` for exercise \(exercise)"
        case .unknownExercise(let id, let lesson, let known):
            let list = known.isEmpty ? "none" : known.joined(separator: ", ")
            return "lesson \(lesson) has no exercise \(id) (its exercises: \(list))"
        case .refusedToOverwrite(let lesson, let path):
            return "lesson \(lesson) is started, so \(path) holds your work: not overwritten. "
                + "Use --force to overwrite it anyway, or `swift run course reset \(lesson)` (which backs it up)"
        case .confirmationRequired(let lesson, let path):
            return "\(path) differs from the starter of lesson \(lesson) and there is no terminal to ask for "
                + "confirmation; pass --force to reset it (a backup is made first)"
        case .lessonNotStarted(let lesson, let module):
            return "lesson \(lesson) is not started, so it builds from Solutions/\(module) and your Sources/\(module) "
                + "is not used; run `swift run course start \(lesson)` first"
        case .noTestsForExercise(let id, let testTarget):
            return "no test in Tests/\(testTarget) names exercise \(id) (a suite or test whose name starts with "
                + "\"\(id) \"), so its tests cannot be run alone; run the whole lesson's tests instead"
        case .fileSystem(let path, let reason):
            return "\(path): \(reason)"
        case .interrupted(let command, let signal):
            return "interrupted (signal \(signal)): `\(command)` was stopped too"
        case .processFailed(let command, let reason):
            return "could not run `\(command)`: \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
