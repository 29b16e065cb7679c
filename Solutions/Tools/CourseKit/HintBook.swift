import Foundation

/// The hints of one lesson, read from `Lessons/<slug>/HINTS.md`:
///
///     ## 02.1 Store once, index twice
///     First hint...
///     ---
///     Second, more precise hint...
///
/// Hints are progressive: a learner asks for the first, then the next.
public struct HintBook: Sendable, Equatable {
    public struct Section: Sendable, Equatable {
        public let id: String
        public let title: String
        public let hints: [String]
    }

    public let sections: [Section]

    public func section(_ id: String) -> Section? {
        sections.first { $0.id == id }
    }

    /// Sections start at `## NN.K title`; any other heading ends a section (so a book may have an
    /// introduction or appendix). `---` separates hints, except inside fenced code.
    public static func parse(_ markdown: String) -> HintBook {
        var sections: [Section] = []
        var current: (id: String, title: String, hints: [[String]])?
        var inFence = false

        func close() {
            guard let open = current else { return }
            let hints = open.hints.map(trimmed).filter { !$0.isEmpty }
            sections.append(Section(id: open.id, title: open.title, hints: hints))
            current = nil
        }

        for line in TextLines.split(markdown) {
            let trimmedLine = line.trimmingCharacters(in: .whitespaces)
            if trimmedLine.hasPrefix("```") || trimmedLine.hasPrefix("~~~") {
                inFence.toggle()
            }
            if !inFence, line.hasPrefix("#") {
                close()
                if let match = sectionHeading(line) {
                    current = (match.id, match.title, [[]])
                }
                continue
            }
            // The comment lines around a generated solution (SolutionHints) are for the tool, not the learner.
            guard var open = current, !SolutionHints.isMarker(line) else { continue }
            if !inFence, trimmedLine == "---" {
                open.hints.append([])
            } else {
                open.hints[open.hints.count - 1].append(line)
            }
            current = open
        }
        close()
        return HintBook(sections: sections)
    }

    /// `## 02.1 Title` → ("02.1", "Title").
    static func sectionHeading(_ line: String) -> (id: String, title: String)? {
        guard let match = line.wholeMatch(of: #/##[ \t]+([0-9]{2}\.[0-9]+)[ \t]*[:.\-]?[ \t]*(.*)/#) else { return nil }
        return (String(match.1), String(match.2).trimmingCharacters(in: .whitespaces))
    }

    static func sectionID(_ line: String) -> String? { sectionHeading(line)?.id }

    public static func load(from url: URL) throws -> HintBook {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CourseError.hintsMissing(path: url.path)
        }
        return parse(String(decoding: data, as: UTF8.self))
    }

    /// A hint's lines without the blank lines around them.
    private static func trimmed(_ lines: [String]) -> String {
        var lines = lines
        while let first = lines.first, first.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeFirst() }
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
