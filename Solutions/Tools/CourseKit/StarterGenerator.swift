import Foundation

/// Which exercises a generated module has as stubs.
public enum StubMode: Sendable, Hashable {
    /// The learner's starter: every exercise replaced by its stub.
    case allExercises
    /// Only this exercise replaced by its stub; the others keep the reference code. `course check`
    /// uses it to prove that the lesson's tests catch each stub on its own.
    case only(String)
    /// Both the stub and the reference in every block, chosen when the program runs: the stub when
    /// the environment variable `COURSE_STUB` names the exercise (`Exercise.isStubbed`). `course check`
    /// builds this once and runs each lesson's tests once per exercise, instead of one build per stub.
    case switchable
}

/// Generates starters (`Sources/<Module>`) from reference modules (`Solutions/<Module>`).
/// The output depends only on the input, so a starter can be checked by regenerating it.
public enum StarterGenerator {
    /// The generated module as `relative/path → contents`.
    public static func files(for module: ReferenceModule, mode: StubMode = .allExercises) -> [String: Data] {
        var result: [String: Data] = [:]
        for file in module.files {
            switch file.content {
            case .resource(let data):
                result[file.relativePath] = data
            case .swift(let marked):
                result[file.relativePath] = Data(render(marked, lesson: module.lesson, mode: mode).utf8)
            }
        }
        return result
    }

    /// One generated Swift file: a header that says where it comes from, then the file with each
    /// exercise reduced to its BEGIN line, the TODO line, the stub and its END line.
    public static func render(_ file: MarkedFile, lesson: Lesson, mode: StubMode = .allExercises) -> String {
        var lines = header(for: file, lesson: lesson)
        for segment in file.segments {
            switch segment {
            case .line(let line):
                lines.append(line)
            case .exercise(let block):
                lines.append(block.beginText)
                switch mode {
                case .allExercises: lines += block.starterLines
                case .only(let id): lines += id == block.id ? block.starterLines : block.referenceLines
                case .switchable: lines += block.switchableLines
                }
                lines.append(block.endText)
            }
        }
        return TextLines.join(lines)
    }

    static func header(for file: MarkedFile, lesson: Lesson) -> [String] {
        [
            "// LESSON \(lesson.code) STARTER, generated from \(file.path) by `swift run course generate`.",
            file.exercises.isEmpty
                ? "// This file has no exercises: it is given as it is."
                : "// Work in the EXERCISE blocks below; the rest of the file is given.",
            "",
        ]
    }
}
