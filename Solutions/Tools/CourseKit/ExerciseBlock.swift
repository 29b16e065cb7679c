import Foundation

/// One exercise of a reference file: the code between `// BEGIN EXERCISE NN.K: task` and
/// `// END EXERCISE NN.K`, and the stub that replaces it in the starter.
public struct ExerciseBlock: Sendable, Hashable {
    /// `02.1`: lesson 02, exercise 1.
    public let id: String
    /// The one-line task written after the id on the BEGIN line.
    public let task: String
    /// The BEGIN line's indentation, used for the generated TODO and stub lines.
    public let indent: String
    /// Where the BEGIN line is (the file as shown to people, e.g. `Solutions/IMStore/Store.swift`).
    public let location: SourceLocation
    /// The END line's number in the same file.
    public let endLine: Int
    /// The BEGIN and END lines exactly as written, kept in the starter so the learner sees the boundaries.
    public let beginText: String
    public let endText: String
    /// The reference code between BEGIN and the first STUB line.
    public let referenceLines: [String]
    /// The stub code, `// STUB: ` removed and without indentation.
    public let stubCode: [String]

    public init(
        id: String, task: String, indent: String, location: SourceLocation, endLine: Int,
        beginText: String, endText: String, referenceLines: [String], stubCode: [String]
    ) {
        self.id = id
        self.task = task
        self.indent = indent
        self.location = location
        self.endLine = endLine
        self.beginText = beginText
        self.endText = endText
        self.referenceLines = referenceLines
        self.stubCode = stubCode
    }

    /// The lesson number written in the id (`02.1` → 2).
    public var lesson: Int { ExerciseID.lesson(of: id) ?? 0 }

    /// The line the starter puts first in the block, so the learner knows the stub is a stand-in.
    public var todoLine: String {
        indent + "// TODO: write this part; the line(s) below only stand in for it. "
            + "Hint: swift run course hint \(id.prefix { $0 != "." })"
    }

    /// The stub as it appears in the starter: de-commented, at the BEGIN line's indentation.
    public var stubLines: [String] {
        stubCode.map { $0.isEmpty ? "" : indent + $0 }
    }

    /// The block's content in the pristine starter (between BEGIN and END).
    public var starterLines: [String] { [todoLine] + stubLines }

    /// The block's content in the check build (`StubMode.switchable`): the stub when `COURSE_STUB`
    /// names this exercise, the reference otherwise. Every line moves one level in; a block must
    /// therefore be statements whose declarations are not used after its END line.
    public var switchableLines: [String] {
        let step = "    "
        func nested(_ line: String) -> String { line.isEmpty ? line : step + line }
        return [indent + "if Exercise.isStubbed(\"\(id)\") {"] + stubLines.map(nested)
            + [indent + "} else {"] + referenceLines.map(nested) + [indent + "}"]
    }
}

/// Exercise ids are `NN.K`.
public enum ExerciseID {
    public static func lesson(of id: String) -> Int? {
        guard let dot = id.firstIndex(of: ".") else { return nil }
        return Int(id[..<dot])
    }

    /// Accepts `02.1`, `2.1` or just `1` (exercise 1 of `lesson`), and returns the canonical `02.1`.
    public static func normalize(_ text: String, lesson: Int) -> String {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 2, let number = Int(parts[0]), let exercise = Int(parts[1]) {
            return "\(Lesson.code(number)).\(exercise)"
        }
        if parts.count == 1, let exercise = Int(parts[0]) {
            return "\(Lesson.code(lesson)).\(exercise)"
        }
        return text
    }

    /// Whether `id` occurs in `text` as a whole id (`02.1` does not match inside `02.10` or `102.1`).
    public static func occurs(_ id: String, in text: Substring) -> Bool {
        var searchRange = text.startIndex..<text.endIndex
        while let found = text.range(of: id, range: searchRange) {
            let before = found.lowerBound > text.startIndex ? text[text.index(before: found.lowerBound)] : " "
            let after = found.upperBound < text.endIndex ? text[found.upperBound] : " "
            if !before.isNumber && before != "." && !after.isNumber {
                return true
            }
            searchRange = found.upperBound..<text.endIndex
        }
        return false
    }
}
