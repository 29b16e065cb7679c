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
    /// The learner's progress and backups: a dot-folder at the root, ignored by git and outside
    /// `.build/`, so `rm -rf .build` or `swift package reset` never loses them.
    public var courseFolder: URL { root.appendingPathComponent(".course") }
    public var stateFile: URL { courseFolder.appendingPathComponent("state.json") }
    public var backupRoot: URL { courseFolder.appendingPathComponent("backups") }
    /// Where the tool kept them before they moved to `.course/` (read once, by `migrateLegacyFiles`).
    public var legacyStateFile: URL { root.appendingPathComponent(".build/course-state.json") }
    public var legacyBackupRoot: URL { root.appendingPathComponent(".build/course-backup") }

    public func solutions(_ lesson: Lesson) -> URL { root.appendingPathComponent("Solutions/\(lesson.module)") }
    public func sources(_ lesson: Lesson) -> URL { root.appendingPathComponent("Sources/\(lesson.module)") }
    public func lessonFolder(_ lesson: Lesson) -> URL { root.appendingPathComponent("Lessons/\(lesson.slug)") }
    public func hints(_ lesson: Lesson) -> URL { lessonFolder(lesson).appendingPathComponent("HINTS.md") }
    public func text(_ lesson: Lesson) -> URL { lessonFolder(lesson).appendingPathComponent("README.md") }
    public func tests(_ lesson: Lesson) -> URL { root.appendingPathComponent("Tests/\(lesson.testTarget)") }

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

    /// Which tests check which exercise of the lesson (from the exercise ids in the tests' names).
    public func exerciseTests(_ lesson: Lesson) throws -> ExerciseTestMap {
        try ExerciseTestMap.load(from: tests(lesson), displayPath: "Tests/\(lesson.testTarget)", testTarget: lesson.testTarget)
    }

    // MARK: - Progress

    /// The recorded progress, after moving a state or backups left in `.build/` by an older tool.
    public func loadState() -> CourseState {
        _ = migrateLegacyFiles()
        return CourseState.load(from: stateFile)
    }

    public func save(_ state: CourseState) throws {
        try state.save(to: stateFile)
    }

    /// Moves `.build/course-state.json` and `.build/course-backup/` (where older versions of the tool
    /// kept them) into `.course/`, once: nothing is moved over a file already there. Returns what moved,
    /// as paths relative to the root.
    @discardableResult
    public func migrateLegacyFiles() -> [String] {
        let manager = FileManager.default
        var moved: [String] = []
        for (old, new) in [(legacyStateFile, stateFile), (legacyBackupRoot, backupRoot)] {
            guard manager.fileExists(atPath: old.path), !manager.fileExists(atPath: new.path) else { continue }
            do {
                try manager.createDirectory(at: new.deletingLastPathComponent(), withIntermediateDirectories: true)
                try manager.moveItem(at: old, to: new)
                moved.append("\(relative(old)) → \(relative(new))")
            } catch {
                // Left where it is: the next run tries again, and nothing is lost meanwhile.
                continue
            }
        }
        return moved
    }

    public func startedLessons() throws -> Set<Int> {
        try ManifestEditor.startedLessons(inFile: manifest)
    }

    public func compare(_ lesson: Lesson) throws -> LessonComparison {
        try BlockDiff.compare(
            reference: reference(lesson), sources: sources(lesson), sourcesDisplayPath: "Sources/\(lesson.module)")
    }
}
