import Foundation

/// One row of `course status`.
public struct LessonProgress: Sendable, Hashable {
    public enum State: String, Sendable {
        /// Not written yet: nothing to do.
        case planned
        /// Written; the learner has not started it (it builds from the reference in Solutions/).
        case notStarted = "not started"
        /// Started (it builds from the learner's copy in Sources/), not all its tests passed yet.
        case inProgress = "in progress"
        /// The last run of all its tests passed on the learner's own code.
        case done
    }

    public let lesson: Lesson
    public let state: State
    /// Whether the lesson builds from the learner's `Sources/` (else from `Solutions/`).
    public let isStarted: Bool
    /// `3`, or for a lesson with recorded progress `1/3 changed, 2/3 passed`; `-` for a planned
    /// lesson, or the reason the exercises cannot be read.
    public let exercises: String
    public let lastTest: String

    /// The state of a lesson from whether it is started and what its tests last did.
    public static func state(of lesson: Lesson, started: Set<Int>, record: CourseState) -> State {
        guard lesson.isAvailable else { return .planned }
        if record.isDone(lesson.number) { return .done }
        return started.contains(lesson.number) ? .inProgress : .notStarted
    }

    /// The progress of every lesson. A lesson whose markers cannot be read still gets a row, saying
    /// so, because status is what one runs to find out what is wrong.
    public static func all(in workspace: CourseWorkspace) throws -> [LessonProgress] {
        let started = try workspace.startedLessons()
        let state = workspace.loadState()
        return workspace.catalog.lessons.map { lesson in
            let lessonState = self.state(of: lesson, started: started, record: state)
            guard lesson.isAvailable else {
                return LessonProgress(lesson: lesson, state: .planned, isStarted: false, exercises: "-", lastTest: "-")
            }
            let isStarted = started.contains(lesson.number)
            let exercises: String
            do {
                let ids = try workspace.reference(lesson).exerciseIDs
                var parts: [String] = []
                if isStarted { parts.append("\(try workspace.compare(lesson).changedCount)/\(ids.count) changed") }
                let passed = ids.filter(state.hasPassed(exercise:)).count
                if passed > 0 || isStarted { parts.append("\(passed)/\(ids.count) passed") }
                exercises = parts.isEmpty ? "\(ids.count)" : parts.joined(separator: ", ")
            } catch {
                exercises = "markers broken (course check)"
            }
            return LessonProgress(
                lesson: lesson, state: lessonState, isStarted: isStarted, exercises: exercises,
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
        var table = TextTable(headers: ["#", "title", "module", "state", "builds from", "exercises", "last test", "text"])
        for row in rows {
            table.rows.append([
                row.lesson.code, row.lesson.title, row.lesson.module, row.state.rawValue,
                row.lesson.isAvailable ? (row.isStarted ? "Sources/" : "Solutions/") : "-", row.exercises,
                row.lastTest, row.lesson.isAvailable ? "Lessons/\(row.lesson.slug)" : "-",
            ])
        }
        return table.render()
    }
}
