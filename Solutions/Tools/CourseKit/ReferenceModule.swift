import Foundation

/// A lesson module's reference code (`Solutions/<Module>`), with its exercise markers parsed.
public struct ReferenceModule: Sendable {
    public enum Content: Sendable, Hashable {
        case swift(MarkedFile)
        /// Any other file (resources), copied byte for byte into the starter.
        case resource(Data)
    }

    public struct File: Sendable, Hashable {
        /// The path inside the module folder, e.g. `Store/MessageStore.swift`.
        public let relativePath: String
        public let content: Content
    }

    public let lesson: Lesson
    /// The module folder as shown to people, e.g. `Solutions/IMStore`.
    public let displayPath: String
    /// Sorted by path, so that generation and exercise order are deterministic.
    public let files: [File]

    public init(lesson: Lesson, displayPath: String, files: [File]) {
        self.lesson = lesson
        self.displayPath = displayPath
        self.files = files.sorted { $0.relativePath < $1.relativePath }
    }

    /// Every exercise of the module, in file order then line order.
    public var exercises: [ExerciseBlock] {
        files.flatMap { file -> [ExerciseBlock] in
            if case .swift(let marked) = file.content { return marked.exercises }
            return []
        }
    }

    public var exerciseIDs: [String] { exercises.map(\.id) }

    public func exercise(_ id: String) throws -> ExerciseBlock {
        guard let block = exercises.first(where: { $0.id == id }) else {
            throw CourseError.unknownExercise(id: id, lesson: lesson.number, known: exerciseIDs)
        }
        return block
    }

    /// Reads and checks `directory`. All marker problems of all files are reported together, plus
    /// ids that are repeated or belong to another lesson.
    public static func load(lesson: Lesson, from directory: URL, displayPath: String) throws -> ReferenceModule {
        var files: [File] = []
        var problems: [MarkerProblem] = []
        for path in try FileTree.list(directory) {
            let url = directory.appendingPathComponent(path)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw CourseError.fileSystem(path: url.path, reason: "cannot be read")
            }
            guard path.hasSuffix(".swift") else {
                files.append(File(relativePath: path, content: .resource(data)))
                continue
            }
            let shownPath = displayPath + "/" + path
            do {
                let marked = try ExerciseMarkerParser.parse(String(decoding: data, as: UTF8.self), path: shownPath)
                files.append(File(relativePath: path, content: .swift(marked)))
            } catch CourseError.malformedMarkers(let found) {
                problems += found
            }
        }
        let module = ReferenceModule(lesson: lesson, displayPath: displayPath, files: files)
        var seen: [String: SourceLocation] = [:]
        for block in module.exercises {
            if block.lesson != lesson.number {
                problems.append(
                    MarkerProblem(
                        block.location,
                        "exercise \(block.id) is in \(lesson.module), the module of lesson \(lesson.code); "
                            + "its id must start with \(lesson.code)."))
            }
            if let first = seen[block.id] {
                problems.append(MarkerProblem(block.location, "exercise id \(block.id) is already used at \(first)"))
            } else {
                seen[block.id] = block.location
            }
        }
        guard problems.isEmpty else { throw CourseError.malformedMarkers(problems) }
        return module
    }
}
