// Course support: how an unfinished exercise reports itself.
//
// In `Solutions/` every exercise is written out between `// BEGIN EXERCISE NN.K: task` and
// `// END EXERCISE NN.K`. The starter in `Sources/` replaces that block with the lines marked
// `// STUB:`, which throw (or return) the value made here. A stub never crashes the process, so one
// unfinished exercise fails its own tests and leaves the others running.

import Foundation

/// The error thrown by an exercise stub that has not been filled in yet.
public struct ExerciseNotImplemented: Error, CustomStringConvertible, Sendable, Equatable {
    /// The exercise id, `NN.K`: lesson NN, exercise K.
    public let exercise: String
    /// What the finished exercise must do, in one line.
    public let expected: String

    public init(exercise: String, expected: String) {
        self.exercise = exercise
        self.expected = expected
    }

    /// The lesson number, taken from the exercise id.
    public var lesson: Int { Int(exercise.split(separator: ".").first ?? "") ?? 0 }

    public var description: String {
        "exercise \(exercise) is not implemented yet: \(expected) "
            + "(run `swift run course hint \(lesson)`)"
    }
}

/// Entry points used by the `// STUB:` lines of the starters.
public enum Exercise {
    /// The error a stub throws: `throw Exercise.notImplemented("02.1", expected: "...")`.
    public static func notImplemented(_ exercise: String, expected: String) -> ExerciseNotImplemented {
        ExerciseNotImplemented(exercise: exercise, expected: expected)
    }
}

extension Exercise {
    /// The exercise whose stub `course check` switches on, from the environment variable
    /// `COURSE_STUB` (an id such as `04.2`), read once.
    ///
    /// Only the check build uses it: `course check` builds every lesson once with both the reference
    /// and the stub of each exercise in place, behind `if Exercise.isStubbed("NN.K")`, and then runs
    /// each lesson's tests once per exercise with `COURSE_STUB` naming it. One build instead of one
    /// per exercise. Learners' starters and the reference never call it.
    public static func isStubbed(_ exercise: String) -> Bool {
        stubbedExercise == exercise
    }

    private static let stubbedExercise: String? = ProcessInfo.processInfo.environment["COURSE_STUB"]
}
