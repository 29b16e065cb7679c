import Foundation

/// The lessons of the course, read from `Lessons/lessons.json` (the single list every command uses).
public struct LessonCatalog: Sendable, Equatable {
    public let lessons: [Lesson]

    public init(lessons: [Lesson]) {
        self.lessons = lessons.sorted { $0.number < $1.number }
    }

    /// Reads the catalog; a malformed file is an error, not an empty course.
    public static func load(from url: URL) throws -> LessonCatalog {
        struct File: Decodable { let lessons: [Lesson] }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CourseError.unreadableCatalog(path: url.path, reason: "the file cannot be read")
        }
        do {
            return LessonCatalog(lessons: try JSONDecoder().decode(File.self, from: data).lessons)
        } catch {
            throw CourseError.unreadableCatalog(path: url.path, reason: "\(error)")
        }
    }

    public var available: [Lesson] { lessons.filter(\.isAvailable) }

    public func lesson(_ number: Int) throws -> Lesson {
        guard let lesson = lessons.first(where: { $0.number == number }) else {
            throw CourseError.unknownLesson(number)
        }
        return lesson
    }

    /// The lesson, which must be written (available): planned lessons have nothing to start, test or diff.
    public func availableLesson(_ number: Int) throws -> Lesson {
        let lesson = try lesson(number)
        guard lesson.isAvailable else {
            throw CourseError.plannedLesson(number: number, title: lesson.title)
        }
        return lesson
    }
}
