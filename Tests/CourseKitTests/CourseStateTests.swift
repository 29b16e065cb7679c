import Foundation
import Testing

@testable import CourseKit

@Suite("Course state: progress, done, and its place outside .build")
struct CourseStateTests {
    static let moment = Date(timeIntervalSince1970: 1_800_000_000)

    static func record(passed: Bool, fromSources: Bool) -> CourseState.TestRecord {
        .init(
            passed: passed, exitCode: passed ? 0 : 1, finishedAt: moment, seconds: 3, fromSources: fromSources,
            exercisesInFailures: [])
    }

    /// A repository with a lesson list, enough for `CourseWorkspace`.
    static func workspace(in folder: TemporaryFolder) throws -> CourseWorkspace {
        try folder.write("Package.swift", "let startedLessons: Set<Int> = []\n")
        try folder.write(
            "Lessons/lessons.json",
            #"{"lessons": [{"number": 2, "slug": "02-send-receive", "title": "Send", "chapter": "c", "module": "IMStore", "status": "available"}]}"#
        )
        return try CourseWorkspace(root: folder.url)
    }

    @Test("a state saved before exercises were recorded still loads, with its lesson records")
    func oldStateLoads() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write(
            "old.json",
            #"{"lastTests": {"2": {"passed": true, "exitCode": 0, "finishedAt": "2026-01-02T03:04:05Z", "seconds": 1.5, "fromSources": true, "exercisesInFailures": []}}}"#
        )
        let state = CourseState.load(from: file)
        #expect(state.lastTest(2)?.passed == true)
        #expect(state.exercises.isEmpty)
        #expect(state.isDone(2))
    }

    @Test("a lesson is done only when its last full run passed on the learner's code")
    func doneState() {
        var state = CourseState()
        #expect(!state.isDone(4))
        state.record(Self.record(passed: true, fromSources: false), for: 4)
        #expect(!state.isDone(4), "the reference passing says nothing about the learner")
        state.record(Self.record(passed: true, fromSources: true), for: 4)
        #expect(state.isDone(4))
        state.record(Self.record(passed: false, fromSources: true), for: 4)
        #expect(!state.isDone(4), "a later failing run of the learner's code undoes it")
    }

    @Test("exercise outcomes replace earlier ones; unknown ones are forgotten; reset forgets the lesson")
    func exerciseRecords() throws {
        var state = CourseState()
        state.record(ExerciseOutcomes(passed: ["04.1"], failed: ["04.2"]), at: Self.moment)
        #expect(state.hasPassed(exercise: "04.1") && !state.hasPassed(exercise: "04.2"))
        state.record(ExerciseOutcomes(passed: ["04.2"], unknown: ["04.1"]), at: Self.moment)
        #expect(state.exercise("04.1") == nil && state.hasPassed(exercise: "04.2"))
        state.record(Self.record(passed: true, fromSources: true), for: 4)
        state.forget(lesson: 4, exercises: ["04.1", "04.2"])
        #expect(state == CourseState())

        let folder = try TemporaryFolder()
        let file = folder.url.appendingPathComponent("deep/state.json")
        state.record(ExerciseOutcomes(passed: ["04.1"]), at: Self.moment)
        try state.save(to: file)
        #expect(CourseState.load(from: file) == state)
    }

    @Test("progress and backups live in .course/ at the root, and .build's old ones move there once")
    func legacyFilesMove() throws {
        let folder = try TemporaryFolder()
        let workspace = try Self.workspace(in: folder)
        #expect(workspace.relative(workspace.stateFile) == ".course/state.json")
        #expect(workspace.relative(workspace.backupRoot) == ".course/backups")

        var old = CourseState()
        old.record(Self.record(passed: true, fromSources: true), for: 2)
        try old.save(to: workspace.legacyStateFile)
        try folder.write(".build/course-backup/IMStore-20260101-000000/Store.swift", "mine")

        #expect(workspace.loadState() == old)
        #expect(!FileManager.default.fileExists(atPath: workspace.legacyStateFile.path))
        #expect(try folder.read(".course/backups/IMStore-20260101-000000/Store.swift") == "mine")

        // Once: a newer state is never overwritten by an old one left behind.
        try CourseState().save(to: workspace.legacyStateFile)
        #expect(workspace.migrateLegacyFiles().isEmpty)
        #expect(workspace.loadState() == old)
    }

    @Test("status: planned, not started, in progress, done")
    func lessonStates() {
        let written = Lesson(number: 4, slug: "04-ack", title: "ACK", chapter: "c", module: "IMDelivery", status: .available)
        let planned = Lesson(number: 10, slug: "10-live", title: "Live", chapter: "c", module: "IMLiveRoom", status: .planned)
        var state = CourseState()
        #expect(LessonProgress.state(of: planned, started: [], record: state) == .planned)
        #expect(LessonProgress.state(of: written, started: [], record: state) == .notStarted)
        #expect(LessonProgress.state(of: written, started: [4], record: state) == .inProgress)
        state.record(Self.record(passed: true, fromSources: true), for: 4)
        #expect(LessonProgress.state(of: written, started: [4], record: state) == .done)
        #expect(LessonProgress.state(of: written, started: [], record: state) == .done, "done stays when unstarted")
    }
}
