import Foundation
import Testing

@testable import CourseKit

@Suite("course next: the first exercise not passed in the first lesson not done")
struct NextStepTests {
    static func lesson(_ number: Int) -> Lesson {
        Lesson(
            number: number, slug: "0\(number)-x", title: "L\(number)", chapter: "c", module: "M\(number)",
            status: .available)
    }

    static func exercise(_ id: String) -> NextStep.ExerciseSummary {
        NextStep.ExerciseSummary(id: id, task: "task \(id)", file: "Sources/M/F.swift")
    }

    static let exercises: [Int: [NextStep.ExerciseSummary]] = [
        1: [exercise("01.2"), exercise("01.1")],
        2: [exercise("02.1"), exercise("02.10"), exercise("02.2")],
    ]

    static func passedRun(_ lesson: Int, into state: inout CourseState) {
        state.record(
            .init(
                passed: true, exitCode: 0, finishedAt: .distantPast, seconds: 1, fromSources: true,
                exercisesInFailures: []), for: lesson)
    }

    @Test("from nothing: lesson 1's first exercise by number, to be started")
    func fresh() {
        let step = NextStep.find(
            lessons: [Self.lesson(2), Self.lesson(1)], exercises: Self.exercises, started: [], state: CourseState())
        #expect(step == .exercise(lesson: Self.lesson(1), exercise: Self.exercise("01.1"), lessonStarted: false))
    }

    @Test("passed exercises are skipped; ids go in numeric order")
    func skipsPassed() {
        var state = CourseState()
        state.record(ExerciseOutcomes(passed: ["02.1", "02.2"], failed: ["02.10"]), at: .distantPast)
        Self.passedRun(1, into: &state)
        let step = NextStep.find(
            lessons: [Self.lesson(1), Self.lesson(2)], exercises: Self.exercises, started: [2], state: state)
        #expect(step == .exercise(lesson: Self.lesson(2), exercise: Self.exercise("02.10"), lessonStarted: true))
    }

    @Test("all exercises passed but the lesson not done: run the whole lesson; all done at the end")
    func finishAndDone() {
        var state = CourseState()
        state.record(ExerciseOutcomes(passed: ["01.1", "01.2"]), at: .distantPast)
        let lessons = [Self.lesson(1), Self.lesson(2)]
        #expect(
            NextStep.find(lessons: lessons, exercises: Self.exercises, started: [1], state: state)
                == .finishLesson(lesson: Self.lesson(1), lessonStarted: true))
        Self.passedRun(1, into: &state)
        Self.passedRun(2, into: &state)
        #expect(NextStep.find(lessons: lessons, exercises: Self.exercises, started: [], state: state) == .allDone)
    }
}
