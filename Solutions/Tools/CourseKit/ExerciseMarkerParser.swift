/// A reference Swift file cut into plain lines and exercise blocks.
public struct MarkedFile: Sendable, Hashable {
    public enum Segment: Sendable, Hashable {
        case line(String)
        case exercise(ExerciseBlock)
    }

    /// The path shown in messages and headers, e.g. `Solutions/IMStore/Store.swift`.
    public let path: String
    public let segments: [Segment]

    public var exercises: [ExerciseBlock] {
        segments.compactMap { segment in
            if case .exercise(let block) = segment { return block }
            return nil
        }
    }
}

/// Reads the exercise markers of reference files:
///
///     // BEGIN EXERCISE 02.1: one-line task
///     ...reference code...
///     // STUB: throw Exercise.notImplemented("02.1", expected: "...")
///     // END EXERCISE 02.1
///
/// Every malformed marker is reported with its file and line, all of them in one pass, so that a
/// maintainer fixes a file in one go rather than one error per run.
public enum ExerciseMarkerParser {
    public static func parse(_ text: String, path: String) throws -> MarkedFile {
        var segments: [MarkedFile.Segment] = []
        var problems: [MarkerProblem] = []
        var open: OpenBlock?

        func problem(_ line: Int, _ message: String) {
            problems.append(MarkerProblem(SourceLocation(file: path, line: line), message))
        }

        let lines = TextLines.split(text)
        for (index, line) in lines.enumerated() {
            let number = index + 1
            // The empty "line" after a final newline is not code, even inside an unterminated block.
            if index == lines.count - 1, line.isEmpty, open != nil { break }
            // Most lines are code: skip the regular expressions unless a marker word is present.
            guard line.contains("EXERCISE") || line.contains("STUB") else {
                if var block = open {
                    block.addCode(line, at: number, problem: problem)
                    open = block
                } else {
                    segments.append(.line(line))
                }
                continue
            }
            if let begin = beginMarker(line) {
                if let block = open {
                    problem(
                        number,
                        "BEGIN EXERCISE \(begin.id) inside exercise \(block.id) (begun at line \(block.line)): "
                            + "exercises cannot nest; close \(block.id) with `// END EXERCISE \(block.id)` first")
                }
                open = OpenBlock(id: begin.id, task: begin.task, indent: begin.indent, line: number, text: line)
            } else if let endID = endMarker(line) {
                guard let block = open else {
                    problem(number, "END EXERCISE \(endID) without a matching BEGIN EXERCISE \(endID)")
                    continue
                }
                open = nil
                if endID != block.id {
                    problem(
                        number,
                        "END EXERCISE \(endID) does not match BEGIN EXERCISE \(block.id) at line \(block.line)")
                } else if block.stubCode.isEmpty {
                    problem(
                        number,
                        "exercise \(block.id) (line \(block.line)) has no `// STUB: code` line before its END; "
                            + "the starter needs a stub that compiles")
                } else {
                    segments.append(.exercise(block.finished(path: path, endLine: number, endText: line)))
                }
            } else if let stub = stubMarker(line) {
                guard var block = open else {
                    problem(number, "STUB line outside an exercise block")
                    continue
                }
                block.stubCode.append(stub)
                open = block
            } else if looksLikeMarker(line) {
                problem(
                    number,
                    "malformed marker `\(line.trimmingLeadingWhitespace())`; expected "
                        + "`// BEGIN EXERCISE NN.K: task`, `// STUB: code` or `// END EXERCISE NN.K`")
            } else if var block = open {
                block.addCode(line, at: number, problem: problem)
                open = block
            } else {
                segments.append(.line(line))
            }
        }
        if let block = open {
            problem(block.line, "exercise \(block.id) is never closed: no `// END EXERCISE \(block.id)` follows")
        }
        guard problems.isEmpty else { throw CourseError.malformedMarkers(problems) }
        return MarkedFile(path: path, segments: segments)
    }

    /// Whether a line carries any marker, well-formed or not (used to find markers where none may be).
    public static func looksLikeMarker(_ line: String) -> Bool {
        let trimmed = line.trimmingLeadingWhitespace()
        guard trimmed.hasPrefix("//") else { return false }
        let body = trimmed.dropFirst(2).drop { $0 == " " || $0 == "\t" }
        return body.hasPrefix("BEGIN EXERCISE") || body.hasPrefix("END EXERCISE") || body.hasPrefix("STUB:")
    }

    // MARK: - The three marker lines

    struct Begin {
        let indent: String
        let id: String
        let task: String
    }

    static func beginMarker(_ line: String) -> Begin? {
        guard let match = line.wholeMatch(of: #/([ \t]*)// BEGIN EXERCISE ([0-9]{2}\.[0-9]+): (.+)/#) else {
            return nil
        }
        return Begin(indent: String(match.1), id: String(match.2), task: String(match.3))
    }

    static func endMarker(_ line: String) -> String? {
        line.wholeMatch(of: #/[ \t]*// END EXERCISE ([0-9]{2}\.[0-9]+)[ \t]*/#).map { String($0.1) }
    }

    static func stubMarker(_ line: String) -> String? {
        line.wholeMatch(of: #/[ \t]*// STUB: ?(.*)/#).map { String($0.1) }
    }
}

/// A block whose END has not been read yet.
private struct OpenBlock {
    let id: String
    let task: String
    let indent: String
    let line: Int
    let text: String
    var referenceLines: [String] = []
    var stubCode: [String] = []
    var reportedCodeAfterStub = false

    init(id: String, task: String, indent: String, line: Int, text: String) {
        self.id = id
        self.task = task
        self.indent = indent
        self.line = line
        self.text = text
    }

    /// A code line inside the block: reference code, unless the stub has begun (the stub must be last,
    /// because everything before it is what the starter removes).
    mutating func addCode(_ code: String, at number: Int, problem: (Int, String) -> Void) {
        guard stubCode.isEmpty else {
            if !reportedCodeAfterStub {
                problem(
                    number,
                    "code after the STUB lines of exercise \(id) (line \(line)); "
                        + "the `// STUB:` lines must be the last lines before `// END EXERCISE \(id)`")
                reportedCodeAfterStub = true
            }
            return
        }
        referenceLines.append(code)
    }

    func finished(path: String, endLine: Int, endText: String) -> ExerciseBlock {
        ExerciseBlock(
            id: id, task: task, indent: indent, location: SourceLocation(file: path, line: line),
            endLine: endLine, beginText: text, endText: endText,
            referenceLines: referenceLines, stubCode: stubCode)
    }
}

extension String {
    func trimmingLeadingWhitespace() -> Substring {
        drop { $0 == " " || $0 == "\t" }
    }
}
