import Foundation

/// The last hint of every exercise is its solution, generated from the reference block, so that the
/// hint a learner copies is the code the tests pass and can never drift from it:
///
///     <!-- SOLUTION 02.1: generated from Solutions/IMStore/Store.swift by `swift run course generate`; edit the reference, not this block -->
///     ```swift
///     ...the reference lines, one indentation level less...
///     ```
///     <!-- END SOLUTION 02.1 -->
///
/// `course generate` writes these blocks into `Lessons/<lesson>/HINTS.md` (and adds a last hint
/// holding one where an exercise has none); `course check` fails when one is out of date or not in
/// the exercise's last hint.
public enum SolutionHints {
    /// The lines of the generated block for `block`.
    public static func lines(for block: ExerciseBlock) -> [String] {
        [beginLine(block), "```swift"] + block.referenceLines.map { dedent($0, by: block.indent) } + ["```", endLine(block.id)]
    }

    static func beginLine(_ block: ExerciseBlock) -> String {
        "<!-- SOLUTION \(block.id): generated from \(block.location.file) by `swift run course generate`; "
            + "edit the reference, not this block -->"
    }

    static func endLine(_ id: String) -> String { "<!-- END SOLUTION \(id) -->" }

    /// Whether a line is one of the two comment lines that frame a solution (shown to nobody).
    public static func isMarker(_ line: String) -> Bool {
        let trimmed = line.trimmingLeadingWhitespace()
        return trimmed.hasPrefix("<!-- SOLUTION ") || trimmed.hasPrefix("<!-- END SOLUTION ")
    }

    static func dedent(_ line: String, by indent: String) -> String {
        line.hasPrefix(indent) ? String(line.dropFirst(indent.count)) : String(line.trimmingLeadingWhitespace())
    }

    /// `markdown` with every exercise's solution block written from the reference: replaced where
    /// it is, or appended to the exercise's section as a new last hint. Problems (a section missing,
    /// a block for an exercise that does not exist, a block that is not in the last hint) are returned
    /// with the text; the text is then only as updated as it could be.
    public static func update(_ markdown: String, exercises: [ExerciseBlock], path: String) -> (
        text: String, problems: [String]
    ) {
        var lines = TextLines.split(markdown)
        var problems: [String] = []
        let known = Set(exercises.map(\.id))
        for (index, line) in lines.enumerated() {
            if let id = solutionID(line), !known.contains(id) {
                problems.append("\(path):\(index + 1): a solution block for \(id), which is not an exercise of this lesson")
            }
        }
        for block in exercises {
            let generated = Self.lines(for: block)
            if let begin = lines.firstIndex(where: { solutionID($0) == block.id }) {
                guard let end = lines[begin...].firstIndex(of: endLine(block.id)) else {
                    problems.append("\(path):\(begin + 1): the solution block of \(block.id) has no `\(endLine(block.id))`")
                    continue
                }
                lines.replaceSubrange(begin...end, with: generated)
            } else if let section = sectionRange(of: block.id, in: lines) {
                var insertAt = section.upperBound
                while insertAt > section.lowerBound + 1, lines[insertAt - 1].trimmingCharacters(in: .whitespaces).isEmpty {
                    insertAt -= 1
                }
                lines.insert(contentsOf: ["", "---", "", "The reference solution:", ""] + generated, at: insertAt)
            } else {
                problems.append("\(path): no section `## \(block.id) title` for exercise \(block.id)")
            }
        }
        let text = TextLines.join(lines)
        let book = HintBook.parse(text)
        for block in exercises {
            guard let last = book.section(block.id)?.hints.last else { continue }
            let code = block.referenceLines.map { dedent($0, by: block.indent) }.joined(separator: "\n")
            if !last.contains(code) {
                problems.append("\(path): the solution of \(block.id) must be in its last hint (no `---` after it)")
            }
        }
        return (text, problems)
    }

    /// The id in a `<!-- SOLUTION NN.K: ... -->` line.
    static func solutionID(_ line: String) -> String? {
        line.firstMatch(of: #/^<!-- SOLUTION ([0-9]{2}\.[0-9]+):/#).map { String($0.1) }
    }

    /// The lines of the section `## id ...`: from its heading to the next heading outside code (or
    /// the end).
    static func sectionRange(of id: String, in lines: [String]) -> Range<Int>? {
        let headings = TextLines.markdownHeadings(lines)
        guard let start = headings.first(where: { HintBook.sectionID(lines[$0]) == id }) else { return nil }
        return start..<(headings.first { $0 > start } ?? lines.count)
    }
}
