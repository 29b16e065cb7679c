import Testing

@testable import CourseKit

@Suite struct FailureScanTests {
    let output = """
        ✔ Test "02.3 recent contacts are grouped" passed after 0.01 seconds.
        ✘ Test "stores once" recorded an issue at StoreTests.swift:12:5: Caught error: exercise 02.1 is not implemented yet
        ✘ Test "index" recorded an issue at StoreTests.swift:20:5: Expectation failed: (ids → []) == [1]
        ↳ exercise 02.2: both users must see the message
        ✘ Test run with 3 tests failed after 0.2 seconds with 2 issues.
        note: 02.10 only in a plain line
        """

    @Test func findsIdsOnlyInFailureLines() {
        #expect(FailureScan.exercisesNamed(["02.1", "02.2", "02.3", "02.10"], in: output) == ["02.1", "02.2"])
    }

    @Test func idsMatchWhole() {
        #expect(!ExerciseID.occurs("02.1", in: "exercise 02.10 failed"))
        #expect(!ExerciseID.occurs("02.1", in: "102.1 failed"))
        #expect(ExerciseID.occurs("02.1", in: "(02.1) failed"))
        #expect(ExerciseID.occurs("02.1", in: "exercise 02.1"))
    }

    @Test func normalizesExerciseArguments() {
        #expect(ExerciseID.normalize("1", lesson: 2) == "02.1")
        #expect(ExerciseID.normalize("2.3", lesson: 2) == "02.3")
        #expect(ExerciseID.normalize("02.3", lesson: 9) == "02.3")
    }
}
