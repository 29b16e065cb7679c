import Foundation

/// One row of `course status`.
public struct LessonProgress: Sendable, Hashable {
    public enum State: String, Sendable {
        /// Not written yet: nothing to do.
        case planned
        /// Written, and building from the reference in Solutions/.
        case reference
        /// Building from the learner's copy in Sources/.
        case started
    }

    public let lesson: Lesson
    public let state: State
    /// `3`, `1/3 changed` for a started lesson, `-` for a planned one, or the reason it cannot be read.
    public let exercises: String
    public let lastTest: String

    /// The progress of every lesson. A lesson whose markers cannot be read still gets a row, saying
    /// so, because status is what one runs to find out what is wrong.
    public static func all(in workspace: CourseWorkspace) throws -> [LessonProgress] {
        let started = try workspace.startedLessons()
        let state = CourseState.load(from: workspace.stateFile)
        return workspace.catalog.lessons.map { lesson in
            guard lesson.isAvailable else {
                return LessonProgress(lesson: lesson, state: .planned, exercises: "-", lastTest: "-")
            }
            let isStarted = started.contains(lesson.number)
            let exercises: String
            do {
                let count = try workspace.reference(lesson).exercises.count
                if isStarted {
                    exercises = "\(try workspace.compare(lesson).changedCount)/\(count) changed"
                } else {
                    exercises = "\(count)"
                }
            } catch {
                exercises = "markers broken (course check)"
            }
            return LessonProgress(
                lesson: lesson, state: isStarted ? .started : .reference, exercises: exercises,
                lastTest: state.lastTest(lesson.number).map(describe) ?? "-")
        }
    }

    static func describe(_ record: CourseState.TestRecord) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "MM-dd HH:mm"
        var text = (record.passed ? "pass" : "FAIL") + " " + formatter.string(from: record.finishedAt)
        if !record.fromSources { text += " (ref)" }
        if !record.passed, !record.exercisesInFailures.isEmpty {
            text += " " + record.exercisesInFailures.joined(separator: ",")
        }
        return text
    }

    public static func table(_ rows: [LessonProgress], workspace: CourseWorkspace) -> String {
        var table = TextTable(headers: ["#", "title", "module", "state", "exercises", "last test", "folder"])
        for row in rows {
            table.rows.append([
                row.lesson.code, row.lesson.title, row.lesson.module, row.state.rawValue, row.exercises,
                row.lastTest, "Lessons/\(row.lesson.slug)",
            ])
        }
        return table.render()
    }
}
