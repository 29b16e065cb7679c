/// What `course next` proposes: the first exercise not yet passed in the lowest-numbered lesson
/// that is not done, from the recorded test results.
public enum NextStep: Sendable, Equatable {
    /// Work on this exercise (`lessonStarted` false: start the lesson first).
    case exercise(lesson: Lesson, exercise: ExerciseSummary, lessonStarted: Bool)
    /// Every exercise of the lesson has passed, but not yet all of its tests in one run.
    case finishLesson(lesson: Lesson, lessonStarted: Bool)
    /// Every available lesson is done.
    case allDone

    /// An exercise as `course next` shows it.
    public struct ExerciseSummary: Sendable, Equatable {
        public let id: String
        public let task: String
        /// The learner's file, e.g. `Sources/IMDelivery/PushWindow.swift`.
        public let file: String

        public init(id: String, task: String, file: String) {
            self.id = id
            self.task = task
            self.file = file
        }
    }

    /// - Parameters:
    ///   - lessons: the available lessons.
    ///   - exercises: each lesson's exercises in marker order, by lesson number.
    public static func find(
        lessons: [Lesson], exercises: [Int: [ExerciseSummary]], started: Set<Int>, state: CourseState
    ) -> NextStep {
        for lesson in lessons.sorted(by: { $0.number < $1.number }) where !state.isDone(lesson.number) {
            let isStarted = started.contains(lesson.number)
            let inOrder = (exercises[lesson.number] ?? []).sorted { isBefore($0.id, $1.id) }
            if let exercise = inOrder.first(where: { !state.hasPassed(exercise: $0.id) }) {
                return .exercise(lesson: lesson, exercise: exercise, lessonStarted: isStarted)
            }
            return .finishLesson(lesson: lesson, lessonStarted: isStarted)
        }
        return .allDone
    }

    /// Exercise ids in numeric order: `04.2` before `04.10` (markers come in file order).
    public static func isBefore(_ first: String, _ second: String) -> Bool {
        func key(_ id: String) -> [Int] { id.split(separator: ".").map { Int($0) ?? Int.max } }
        return key(first).lexicographicallyPrecedes(key(second))
    }
}
