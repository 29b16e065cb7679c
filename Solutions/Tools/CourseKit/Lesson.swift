import Foundation

/// One lesson of `Lessons/lessons.json`.
public struct Lesson: Codable, Sendable, Hashable {
    /// Whether the lesson has been written. Only available lessons have code, tests and starters.
    public enum Status: String, Codable, Sendable {
        case available
        case planned
    }

    public let number: Int
    public let slug: String
    public let title: String
    public let chapter: String
    public let module: String
    public let status: Status

    public init(number: Int, slug: String, title: String, chapter: String, module: String, status: Status) {
        self.number = number
        self.slug = slug
        self.title = title
        self.chapter = chapter
        self.module = module
        self.status = status
    }

    public var isAvailable: Bool { status == .available }

    /// `02` for lesson 2: the form used in exercise ids and test target names.
    public var code: String { Lesson.code(number) }

    /// The lesson's test target, `Lesson02Tests`.
    public var testTarget: String { "Lesson\(code)Tests" }

    public static func code(_ number: Int) -> String {
        number < 10 ? "0\(number)" : "\(number)"
    }
}
