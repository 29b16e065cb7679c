import Foundation

/// The course repository on disk: where each thing lives, and the lesson list.
public struct CourseWorkspace: Sendable {
    public let root: URL
    public let catalog: LessonCatalog

    public init(root: URL) throws {
        self.root = root
        self.catalog = try LessonCatalog.load(from: root.appendingPathComponent("Lessons/lessons.json"))
    }

    /// The nearest folder at or above `start` that has a Package.swift and a lesson list (so that
    /// `swift run course` works from any folder of the repository).
    public static func locate(from start: URL) throws -> CourseWorkspace {
        var folder = start.standardizedFileURL
        let manager = FileManager.default
        while true {
            if manager.fileExists(atPath: folder.appendingPathComponent("Package.swift").path),
                manager.fileExists(atPath: folder.appendingPathComponent("Lessons/lessons.json").path)
            {
                return try CourseWorkspace(root: folder)
            }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { throw CourseError.packageRootNotFound(startedAt: start.path) }
            folder = parent
        }
    }

    // MARK: - Places

    public var manifest: URL { root.appendingPathComponent("Package.swift") }
    public var sourcesRoot: URL { root.appendingPathComponent("Sources") }
    public var stateFile: URL { root.appendingPathComponent(".build/course-state.json") }
    public var backupRoot: URL { root.appendingPathComponent(".build/course-backup") }

    public func solutions(_ lesson: Lesson) -> URL { root.appendingPathComponent("Solutions/\(lesson.module)") }
    public func sources(_ lesson: Lesson) -> URL { root.appendingPathComponent("Sources/\(lesson.module)") }
    public func lessonFolder(_ lesson: Lesson) -> URL { root.appendingPathComponent("Lessons/\(lesson.slug)") }
    public func hints(_ lesson: Lesson) -> URL { lessonFolder(lesson).appendingPathComponent("HINTS.md") }
    public func text(_ lesson: Lesson) -> URL { lessonFolder(lesson).appendingPathComponent("README.md") }

    /// Paths as printed: relative to the repository root.
    public func relative(_ url: URL) -> String {
        let rootPath = root.standardizedFileURL.path
        let path = url.standardizedFileURL.path
        return path.hasPrefix(rootPath + "/") ? String(path.dropFirst(rootPath.count + 1)) : path
    }

    // MARK: - Lessons

    public func lesson(_ number: Int) throws -> Lesson { try catalog.lesson(number) }
    public func availableLesson(_ number: Int) throws -> Lesson { try catalog.availableLesson(number) }

    public func reference(_ lesson: Lesson) throws -> ReferenceModule {
        try ReferenceModule.load(
            lesson: lesson, from: solutions(lesson), displayPath: "Solutions/\(lesson.module)")
    }

    /// The starter as `course generate` makes it.
    public func pristineStarter(_ lesson: Lesson) throws -> [String: Data] {
        StarterGenerator.files(for: try reference(lesson))
    }

    /// The lesson's HINTS.md with every solution block as `course generate` writes it, the text as
    /// it is now, and the problems found on the way.
    public func generatedHints(_ lesson: Lesson) throws -> (expected: String, actual: String, problems: [String]) {
        let url = hints(lesson)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CourseError.hintsMissing(path: relative(url))
        }
        let actual = String(decoding: data, as: UTF8.self)
        let updated = SolutionHints.update(actual, exercises: try reference(lesson).exercises, path: relative(url))
        return (updated.text, actual, updated.problems)
    }

    /// Whether `Sources/<Module>` is exactly the generated starter.
    public func sourcesArePristine(_ lesson: Lesson) throws -> Bool {
        try FileTree.read(sources(lesson)) == pristineStarter(lesson)
    }

    public func startedLessons() throws -> Set<Int> {
        try ManifestEditor.startedLessons(inFile: manifest)
    }

    public func compare(_ lesson: Lesson) throws -> LessonComparison {
        try BlockDiff.compare(
            reference: reference(lesson), sources: sources(lesson), sourcesDisplayPath: "Sources/\(lesson.module)")
    }
}
